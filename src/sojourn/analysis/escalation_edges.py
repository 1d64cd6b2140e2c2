""" "Can escalate to" edges: which escalation paths a principal can take and what each one hands over.

- a path that rewrites permissions (any "Permissions management" action) leads to the account's administrator;
- a path that takes over another user's credentials (access keys, console password) leads to those users;
- a path that passes a role to a service leads to every role of the account that trusts that service and that
  the principal may pass (iam:PassRole asked per role, with iam:PassedToService);
- a path that takes over an existing resource leads to the role it runs as: for Lambda, the execution role of
  each function whose code may be changed; for the services whose resources the snapshot does not hold, every
  role that trusts the service.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sojourn.analysis.escalation import EscalationPath, probe_resource
from sojourn.analysis.graph import Edge, EdgeKind
from sojourn.analysis.holders import Holder

if TYPE_CHECKING:
    from sojourn.analysis.graph_build import GraphBuilder

PASS_ROLE = "iam:passrole"  # noqa: S105 (an action name)


def escalation_edges(builder: GraphBuilder, holder: Holder) -> Iterator[Edge]:
    for path in builder.paths:
        kind = path_kind(builder, path)
        if kind == "admin":
            if _all_on_probes(builder, holder, path.required):
                yield Edge(holder.arn, f"admin:{holder.account}", EdgeKind.ESCALATES, path.id)
        elif kind == "users":
            yield from _to_users(builder, holder, path)
        elif kind == "pass":
            yield from _to_passed_roles(builder, holder, path)
        else:
            yield from _to_running_roles(builder, holder, path)


def path_kind(builder: GraphBuilder, path: EscalationPath) -> str:
    if path.category in ("principal-access", "self-escalation"):
        rewrites = any(builder.catalog.access_level(a) == "Permissions management" for a in path.required)
        return "admin" if rewrites else "users"
    if path.category == "new-passrole" and any(a.lower() == PASS_ROLE for a in path.required):
        return "pass"
    return "existing"


def service_principals(path: EscalationPath) -> tuple[str, ...]:
    from sojourn.analysis.graph_build import SERVICE_PRINCIPALS

    prefix = next(
        (a.split(":", 1)[0] for a in path.required if not a.lower().startswith(("iam:", "sts:"))), ""
    )
    return SERVICE_PRINCIPALS.get(prefix, (f"{prefix}.amazonaws.com",))


def _all_on_probes(builder: GraphBuilder, holder: Holder, actions: tuple[str, ...]) -> bool:
    return all(
        builder.allowed(holder, a, probe_resource(a, builder.catalog, holder.account)) for a in actions
    )


def _to_users(builder: GraphBuilder, holder: Holder, path: EscalationPath) -> Iterator[Edge]:
    account = builder.snapshot.account(holder.account)
    for user in account.users if account else ():
        if user.arn != holder.arn and all(builder.allowed(holder, a, user.arn) for a in path.required):
            yield Edge(holder.arn, user.arn, EdgeKind.ESCALATES, path.id)


def _to_passed_roles(builder: GraphBuilder, holder: Holder, path: EscalationPath) -> Iterator[Edge]:
    others = tuple(a for a in path.required if a.lower() != PASS_ROLE)
    if not _all_on_probes(builder, holder, others):
        return
    services = service_principals(path)
    for role in builder.roles_trusting(holder.account, services):
        if role == holder.arn:
            continue
        trusted = builder.roles[role].names.services & set(services)
        if any(
            builder.allowed(holder, "iam:PassRole", role, {"iam:PassedToService": s}) for s in sorted(trusted)
        ):
            yield Edge(holder.arn, role, EdgeKind.ESCALATES, path.id)


def _to_running_roles(builder: GraphBuilder, holder: Holder, path: EscalationPath) -> Iterator[Edge]:
    services = service_principals(path)
    if services == ("lambda.amazonaws.com",):
        account = builder.snapshot.account(holder.account)
        for function in account.functions if account else ():
            if function.role != holder.arn and all(
                builder.allowed(holder, a, function.arn) for a in path.required
            ):
                yield Edge(holder.arn, function.role, EdgeKind.ESCALATES, f"{path.id} via {function.name}")
        return
    if not _all_on_probes(builder, holder, path.required):
        return
    for role in builder.roles_trusting(holder.account, services):
        if role != holder.arn:
            yield Edge(holder.arn, role, EdgeKind.ESCALATES, path.id)
