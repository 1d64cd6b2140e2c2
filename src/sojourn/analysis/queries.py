"""Questions on the graph: who can do ACTION on RESOURCE, with the chain; every path to a role or admin."""

from __future__ import annotations

from dataclasses import replace

from sojourn.analysis.graph import AccessGraph, Node, Path
from sojourn.analysis.graph_build import GraphBuilder
from sojourn.analysis.outsiders import Outsider, outsider_decision, outsiders_named
from sojourn.analysis.resource_access import UPPER_BOUND, Answer, GuardedResource, resource_allowed
from sojourn.policy import EvaluationRequest, Outcome, evaluate


class UnknownTarget(LookupError):
    """The role or account named in a query is not in the snapshot."""


def who_can(builder: GraphBuilder, graph: AccessGraph, action: str, resource: str) -> list[Path]:
    """Principals allowed directly (zero hops), then everyone who can reach one of them, shortest first;
    callers from outside the organisation that the trust or resource policy lets in are among them.

    An upper bound: whoever some request allows is listed, with the conditions that takes (see
    resource_access.UPPER_BOUND); sts:AssumeRole on a role of the snapshot is judged as the graph's edges are.
    """
    guarded = builder.resource_policies.find(resource)
    target = builder.roles.get(resource)
    if guarded is not None and not action.lower().startswith("sts:assumerole"):
        answers = _with_resource_policy(builder, guarded, action, resource)
        outsiders = _outsiders_of_resource(builder, guarded, action, resource)
    else:
        answers = {}
        for holder in builder.holders:
            answer = _direct_answer(builder, holder.arn, action, resource)
            if answer is not None:
                answers[holder.arn] = answer
        assumes = target is not None and action.lower().startswith("sts:assumerole")
        outsiders = builder.outsiders_of(target) if target is not None and assumes else []
    for outsider, conditions in outsiders:
        graph.add_node(Node(outsider.id, outsider.kind, outsider.account or "", outsider.label))
        answers[outsider.id] = conditions
    direct = sorted(answers)
    reached = [
        replace(p, conditions=answers[p.end]) for p in graph.paths_to(direct) if p.start not in answers
    ]
    return [Path(arn, (), answers[arn]) for arn in direct] + reached


def _with_resource_policy(
    builder: GraphBuilder, guarded: GuardedResource, action: str, resource: str
) -> dict[str, tuple[str, ...]]:
    context = {"aws:SecureTransport": "true"}
    if builder.snapshot.organization_id:
        context["aws:PrincipalOrgID"] = context["aws:ResourceOrgID"] = builder.snapshot.organization_id
    rcps = builder.compiled_rcps(guarded.record.account)
    index = builder.resource_policies
    answers = {}
    for holder in builder.holders:
        identity = builder.library.compiled_set(holder.shape)
        answer = resource_allowed(index, guarded, holder, identity, rcps, action, resource, context)
        if answer is not None:
            answers[holder.arn] = answer
    return answers


def _outsiders_of_resource(
    builder: GraphBuilder, guarded: GuardedResource, action: str, resource: str
) -> list[tuple[Outsider, tuple[str, ...]]]:
    """Callers from outside the organisation the resource policy lets in, with the conditions it takes."""
    policy = builder.library.parsed.get(guarded.record.arn)
    owner = guarded.record.account
    found = []
    for outsider in outsiders_named(policy, builder.organisation, action) if policy else ():
        answer = outsider_decision(
            outsider,
            action,
            resource,
            owner,
            guarded.compiled,
            builder.compiled_rcps(owner),
            {"aws:SecureTransport": "true"},
            UPPER_BOUND,
        )
        if answer is not None:
            found.append((outsider, answer))
    return found


def _direct_answer(builder: GraphBuilder, arn: str, action: str, resource: str) -> Answer:
    holder = builder.by_arn[arn]
    target = builder.roles.get(resource)
    if target is not None and action.lower().startswith("sts:assumerole"):
        allowed, conditions = builder.assume_decision(holder, target)
        return conditions if allowed else None
    account = _account_of(resource) or holder.account
    if account != holder.account:
        return None
    request = EvaluationRequest(action, resource, holder.arn, account, principal_account=holder.account)
    decision = evaluate(request, builder.library.compiled_set(holder.shape), UPPER_BOUND)
    return decision.ignored_conditions if decision.outcome is Outcome.ALLOWED else None


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
