"""Findings over a whole snapshot: every policy through the check registry, then what only the graph knows.

- trust-human-without-mfa is kept only for sensitive roles (administrators, or one step from it);
- compute-role-with-admin: a role that a compute service assumes and that is an administrator;
- escalation-to-admin: a principal that is not an administrator but reaches one through the graph.
"""

from __future__ import annotations

from sojourn.analysis.finding import AnalysisContext, Finding
from sojourn.analysis.graph import AccessGraph, EdgeKind, Path
from sojourn.analysis.graph_build import GraphBuilder
from sojourn.analysis.principal_risk import principal_risks
from sojourn.analysis.registry import analyse
from sojourn.analysis.report_checks import COMPUTE_ADMIN, ESCALATION_TO_ADMIN
from sojourn.analysis.risk_findings import risk_findings
from sojourn.policy import PolicyKind

COMPUTE_SERVICES = frozenset(
    {
        "ec2.amazonaws.com",
        "lambda.amazonaws.com",
        "ecs-tasks.amazonaws.com",
        "codebuild.amazonaws.com",
        "glue.amazonaws.com",
        "sagemaker.amazonaws.com",
        "tasks.apprunner.amazonaws.com",
        "batch.amazonaws.com",
    }
)


def snapshot_findings(builder: GraphBuilder, graph: AccessGraph) -> list[Finding]:
    snapshot = builder.snapshot
    context = AnalysisContext(
        frozenset(a.id for a in snapshot.accounts), snapshot.organization_id, builder.catalog
    )
    to_admin = {p.start: p for p in graph.paths_to(graph.admin_nodes())}
    findings: list[Finding] = []
    for source, policy in sorted(builder.library.parsed.items()):
        if policy is None:
            continue
        role_arn = source.removesuffix("#trust") if policy.kind is PolicyKind.TRUST else None
        for finding in analyse(policy, context):
            if finding.check.id == "trust-human-without-mfa" and role_arn not in to_admin:
                continue
            findings.append(finding)
    for arn, trusted in sorted(builder.roles.items()):
        services = trusted.names.services & COMPUTE_SERVICES
        path = to_admin.get(arn)
        if services and path and path.hops[0].kind is EdgeKind.IS_ADMIN:
            detail = f"assumed by {', '.join(sorted(services))} and an administrator of {trusted.account}"
            findings.append(Finding(COMPUTE_ADMIN, arn, 0, 0, "", detail))
    admins = {e.source for edges in graph.outgoing.values() for e in edges if e.kind is EdgeKind.IS_ADMIN}
    for holder in builder.holders:
        if holder.arn not in admins:
            findings += risk_findings(holder.arn, principal_risks(builder, holder))
    for start, path in sorted(to_admin.items()):
        if path.hops[0].kind is not EdgeKind.IS_ADMIN and graph.nodes[start].kind != "person":
            findings.append(Finding(ESCALATION_TO_ADMIN, start, 0, 0, "", describe(graph, path)))
    return findings


def describe(graph: AccessGraph, path: Path) -> str:
    steps = [graph.display(path.start)]
    for hop in path.hops:
        steps.append(f"-[{hop}]-> {graph.display(hop.target)}")
    return " ".join(steps)
