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
from sojourn.analysis.holders import Holder

if TYPE_CHECKING:
    from sojourn.analysis.graph_build import GraphBuilder

HUB_MIN = 16
"""Name the functions on the edge while they are few; otherwise group them under the path's id."""

PASS_ROLE = "iam:passrole"  # noqa: S105 (an action name)


def escalation_edges(builder: GraphBuilder, holder: Holder) -> dict[str, list[str]]:
    """Targets by path id (or "path via function"); the same for every holder of one policy shape."""
    key = holder.shape
    if key not in builder.escalations:
        found: dict[str, list[str]] = {}
        for path in builder.paths:
            if not all(builder.may(holder, a) for a in path.required):
                continue
            for via, target in _targets(builder, holder, path):
                found.setdefault(via, []).append(target)
        builder.escalations[key] = found
    return builder.escalations[key]


def _targets(builder: GraphBuilder, holder: Holder, path: EscalationPath) -> Iterator[tuple[str, str]]:
    kind = path_kind(builder, path)
    if kind == "admin":
        if _all_on_probes(builder, holder, path.required):
            yield path.id, f"admin:{holder.account}"
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


def _to_users(builder: GraphBuilder, holder: Holder, path: EscalationPath) -> Iterator[tuple[str, str]]:
    account = builder.snapshot.account(holder.account)
    for user in account.users if account else ():
        if all(builder.allowed(holder, a, user.arn) for a in path.required):
            yield path.id, user.arn


def _to_passed_roles(
    builder: GraphBuilder, holder: Holder, path: EscalationPath
) -> Iterator[tuple[str, str]]:
    others = tuple(a for a in path.required if a.lower() != PASS_ROLE)
    if not _all_on_probes(builder, holder, others):
        return
    services = service_principals(path)
    for role in builder.roles_trusting(holder.account, services):
        trusted = builder.roles[role].names.services & set(services)
        if any(
            builder.allowed(holder, "iam:PassRole", role, {"iam:PassedToService": s}) for s in sorted(trusted)
        ):
            yield path.id, role


def _to_running_roles(
    builder: GraphBuilder, holder: Holder, path: EscalationPath
) -> Iterator[tuple[str, str]]:
    services = service_principals(path)
    if services == ("lambda.amazonaws.com",):
        account = builder.snapshot.account(holder.account)
        changeable = [
            f
            for f in (account.functions if account else ())
            if all(builder.allowed(holder, a, f.arn) for a in path.required)
        ]
        few = len(changeable) < HUB_MIN
        for function in changeable:
            yield (f"{path.id} via {function.name}" if few else path.id), function.role
        return
    if not _all_on_probes(builder, holder, path.required):
        return
    for role in builder.roles_trusting(holder.account, services):
        yield path.id, role
