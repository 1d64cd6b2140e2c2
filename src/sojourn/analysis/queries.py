"""Questions on the graph: who can do ACTION on RESOURCE, with the chain; every path to a role or admin."""

from __future__ import annotations

from sojourn.analysis.graph import AccessGraph, Path
from sojourn.analysis.graph_build import GraphBuilder
from sojourn.analysis.resource_access import GuardedResource, resource_allowed
from sojourn.policy import Discovery, EvaluationRequest, Outcome, evaluate


class UnknownTarget(LookupError):
    """The role or account named in a query is not in the snapshot."""


def who_can(builder: GraphBuilder, graph: AccessGraph, action: str, resource: str) -> list[Path]:
    """Principals allowed directly (zero hops), then everyone who can reach one of them, shortest first."""
    guarded = builder.resource_policies.find(resource)
    if guarded is not None and not action.lower().startswith("sts:assumerole"):
        direct = _allowed_with_resource_policy(builder, guarded, action, resource)
    else:
        direct = [h.arn for h in builder.holders if _directly_allowed(builder, h.arn, action, resource)]
    reached = graph.paths_to(direct)
    return [Path(arn, ()) for arn in sorted(direct)] + [p for p in reached if p.start not in direct]


def _allowed_with_resource_policy(
    builder: GraphBuilder, guarded: GuardedResource, action: str, resource: str
) -> list[str]:
    context = {"aws:SecureTransport": "true"}
    if builder.snapshot.organization_id:
        context["aws:PrincipalOrgID"] = context["aws:ResourceOrgID"] = builder.snapshot.organization_id
    rcps = builder.compiled_rcps(guarded.record.account)
    index = builder.resource_policies
    return [
        h.arn
        for h in builder.holders
        if resource_allowed(
            index, guarded, h, builder.library.compiled_set(h.shape), rcps, action, resource, context
        )
    ]


def _directly_allowed(builder: GraphBuilder, arn: str, action: str, resource: str) -> bool:
    holder = builder.by_arn[arn]
    target = builder.roles.get(resource)
    if target is not None and action.lower().startswith("sts:assumerole"):
        allowed, _ = builder.assume_decision(holder, target)
        return allowed
    account = _account_of(resource) or holder.account
    if account != holder.account:
        return False
    request = EvaluationRequest(action, resource, holder.arn, account, principal_account=holder.account)
    decision = evaluate(request, builder.library.compiled_set(holder.shape), Discovery())
    return decision.outcome is Outcome.ALLOWED


def paths_to(graph: AccessGraph, target: str) -> list[Path]:
    """`admin` means the administrator of any account; otherwise a role or user by ARN or ACCOUNT/NAME."""
    if target == "admin":
        return graph.paths_to(graph.admin_nodes())
    if target.startswith("admin:"):
        found = [n for n in graph.admin_nodes() if target in (n, f"admin:{graph.nodes[n].account}")]
        found += [
            f"admin:{a.account}"
            for a in graph.nodes.values()
            if a.kind == "account" and a.label == target[6:]
        ]
    else:
        found = graph.find(target)
    if not found:
        raise UnknownTarget(
            f"{target!r} is not a role, user or account of the snapshot; try ACCOUNT/NAME or an ARN"
        )
    return graph.paths_to(found)


def _account_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[4] else None
