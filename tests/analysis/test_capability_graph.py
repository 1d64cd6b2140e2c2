"""Capability edges in the access graph: decided by the engine, composed across accounts."""

from __future__ import annotations

from typing import Any

import pytest

from sojourn.analysis.graph import AccessGraph, EdgeKind
from sojourn.analysis.graph_build import GraphBuilder
from sojourn.analysis.queries import paths_to, who_can
from sojourn.analysis.snapshot import AccountSnapshot, Group, InlinePolicy, OrgSnapshot, Role, User
from sojourn.analysis.snapshot_findings import snapshot_findings
from sojourn.catalog import ActionCatalog, load_catalog

DEV, PROD = "111111111111", "333333333333"
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@pytest.fixture(scope="module")
def catalog() -> ActionCatalog:
    return load_catalog()


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str | list[str], resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def trust(principal: dict[str, str]) -> dict[str, Any]:
    return doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal})


def arn(account: str, kind: str, name: str) -> str:
    return f"arn:aws:iam::{account}:{kind}/{name}"


def inline(*statements: dict[str, Any]) -> tuple[InlinePolicy, ...]:
    return (InlinePolicy("p", doc(*statements)),)


def chain(scps: tuple[tuple[dict[str, Any], ...], ...] = ()) -> OrgSnapshot:
    """A developer in DEV may assume PROD's deployer, which may create and invoke functions and pass roles."""
    developer = User(arn(DEV, "user", "dev"), "dev", inline=inline(allow("sts:AssumeRole")))
    deployer = Role(
        arn(PROD, "role", "deployer"),
        "deployer",
        trust({"AWS": arn(DEV, "user", "dev")}),
        inline=inline(allow(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"])),
    )
    runner = Role(
        arn(PROD, "role", "runner"),
        "runner",
        trust({"Service": "lambda.amazonaws.com"}),
        inline=inline(ADMIN["Statement"][0]),
    )
    return OrgSnapshot(
        (
            AccountSnapshot(DEV, "dev", users=(developer,)),
            AccountSnapshot(PROD, "prod", roles=(deployer, runner), scps=scps),
        )
    )


def build(snapshot: OrgSnapshot, catalog: ActionCatalog) -> AccessGraph:
    return GraphBuilder(snapshot, catalog).build()


def escalations(graph: AccessGraph, source: str) -> set[tuple[str, str]]:
    return {(e.target, e.via) for e in graph.outgoing.get(source, ()) if e.kind is EdgeKind.ESCALATES}


def test_assume_then_run_code_as_a_role_reaches_an_administrator_across_accounts(
    catalog: ActionCatalog,
) -> None:
    graph = build(chain(), catalog)
    assert escalations(graph, arn(PROD, "role", "deployer")) == {
        (arn(PROD, "role", "runner"), "run-code-as-role via lambda:CreateFunction")
    }
    path = next(p for p in paths_to(graph, "admin") if p.start == arn(DEV, "user", "dev"))
    assert [h.kind for h in path.hops] == [EdgeKind.ASSUMES, EdgeKind.ESCALATES, EdgeKind.IS_ADMIN]


def test_an_scp_denying_the_launch_cuts_the_chain(catalog: ActionCatalog) -> None:
    scp = ({**ADMIN}, doc({"Effect": "Deny", "Action": "lambda:CreateFunction", "Resource": "*"}))
    graph = build(chain(scps=(scp,)), catalog)
    assert escalations(graph, arn(PROD, "role", "deployer")) == set()
    assert arn(DEV, "user", "dev") not in {p.start for p in paths_to(graph, "admin")}


def test_changing_its_own_policies_makes_a_principal_administrator_unless_a_boundary_stops_it(
    catalog: ActionCatalog,
) -> None:
    boundary = "arn:aws:iam::111111111111:policy/boundary"
    role = Role(
        arn(DEV, "role", "self"),
        "self",
        trust({"Service": "ec2.amazonaws.com"}),
        inline=inline(allow("iam:PutRolePolicy", arn(DEV, "role", "self"))),
    )
    graph = build(OrgSnapshot((AccountSnapshot(DEV, "dev", roles=(role,)),)), catalog)
    assert {t for t, _ in escalations(graph, role.arn)} == {f"admin:{DEV}"}
    bounded = Role(role.arn, role.name, role.trust, inline=role.inline, boundary=boundary)
    policies = {boundary: doc(allow("s3:GetObject"))}
    graph = build(OrgSnapshot((AccountSnapshot(DEV, "dev", roles=(bounded,), policies=policies),)), catalog)
    assert escalations(graph, role.arn) == set()


def test_credentials_trust_and_group_membership_lead_to_the_principals_they_hand_over(
    catalog: ActionCatalog,
) -> None:
    admins = Group(arn(DEV, "group", "admins"), "admins", inline=inline(ADMIN["Statement"][0]))
    boss = User(arn(DEV, "user", "boss"), "boss", groups=("admins",))
    helpdesk = User(
        arn(DEV, "user", "helpdesk"),
        "helpdesk",
        inline=inline(
            allow("iam:CreateLoginProfile", arn(DEV, "user", "boss")),
            allow("iam:UpdateAssumeRolePolicy", arn(DEV, "role", "ops")),
            allow("iam:AddUserToGroup", arn(DEV, "group", "admins")),
        ),
    )
    ops = Role(arn(DEV, "role", "ops"), "ops", trust({"Service": "ec2.amazonaws.com"}))
    graph = build(
        OrgSnapshot((AccountSnapshot(DEV, "dev", roles=(ops,), users=(boss, helpdesk), groups=(admins,)),)),
        catalog,
    )
    assert escalations(graph, helpdesk.arn) == {
        (boss.arn, "take-over-credentials via iam:CreateLoginProfile"),
        (ops.arn, "change-trust via iam:UpdateAssumeRolePolicy"),
    }
    assert helpdesk.arn in {p.start for p in paths_to(graph, "admin")}


def test_findings_and_who_can_see_an_escalation_through_a_service_outside_the_named_paths(
    catalog: ActionCatalog,
) -> None:
    """`sojourn findings` and `sojourn who-can` read the same builder: a Step Functions launch counts."""
    orchestrator = User(
        arn(DEV, "user", "orchestrator"),
        "orchestrator",
        inline=inline(allow(["iam:PassRole", "states:CreateStateMachine"])),
    )
    machine = Role(
        arn(DEV, "role", "machine"),
        "machine",
        trust({"Service": "states.amazonaws.com"}),
        inline=inline(ADMIN["Statement"][0]),
    )
    builder = GraphBuilder(
        OrgSnapshot((AccountSnapshot(DEV, "dev", roles=(machine,), users=(orchestrator,)),)), catalog
    )
    graph = builder.build()
    escalating = [f for f in snapshot_findings(builder, graph) if f.check.id == "escalation-to-admin"]
    assert [f.source for f in escalating] == [orchestrator.arn]
    assert "run-code-as-role via states:CreateStateMachine" in escalating[0].detail
    readers = {p.start: p for p in who_can(builder, graph, "s3:GetObject", "arn:aws:s3:::payroll/2026.csv")}
    assert [h.target for h in readers[orchestrator.arn].hops] == [machine.arn]
