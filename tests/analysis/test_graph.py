"""The access graph over a hand-made three-account snapshot: hops, chains and what cuts them."""

from __future__ import annotations

from typing import Any

import pytest

from sojourn.analysis.graph import AccessGraph, EdgeKind
from sojourn.analysis.graph_build import GraphBuilder
from sojourn.analysis.queries import UnknownTarget, paths_to, who_can
from sojourn.analysis.snapshot import (
    AccountSnapshot,
    Function,
    InlinePolicy,
    OrgSnapshot,
    Role,
    SsoAccess,
    User,
)
from sojourn.analysis.snapshot_codec import SnapshotFormatError, snapshot_from_json, snapshot_to_json
from sojourn.catalog import ActionCatalog, load_catalog

DEV, SHARED, PROD = "111111111111", "222222222222", "333333333333"
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
ADMIN_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def trust(principal: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal, **extra})


def arn(account: str, kind: str, name: str) -> str:
    return f"arn:aws:iam::{account}:{kind}/{name}"


def organisation(alice_policy: dict[str, Any] | None = None, carol_pass: str = "*") -> OrgSnapshot:
    alice = alice_policy or doc(allow("sts:AssumeRole", arn(SHARED, "role", "deployer")))
    dev = AccountSnapshot(
        DEV,
        "team-a-dev",
        roles=(
            Role(
                arn(DEV, "role", "fn-admin"),
                "fn-admin",
                trust({"Service": "lambda.amazonaws.com"}),
                (ADMIN_ARN,),
            ),
            Role(
                arn(DEV, "role", "ec2-admin"),
                "ec2-admin",
                trust({"Service": "ec2.amazonaws.com"}),
                (ADMIN_ARN,),
            ),
            Role(arn(DEV, "role", "ec2-small"), "ec2-small", trust({"Service": "ec2.amazonaws.com"})),
        ),
        users=(
            User(arn(DEV, "user", "alice"), "alice", inline=(InlinePolicy("hop", alice),)),
            User(
                arn(DEV, "user", "bob"),
                "bob",
                inline=(
                    InlinePolicy(
                        "code", doc(allow("lambda:UpdateFunctionCode", f"arn:aws:lambda:*:{DEV}:*"))
                    ),
                ),
            ),
            User(
                arn(DEV, "user", "carol"),
                "carol",
                inline=(
                    InlinePolicy(
                        "spot", doc(allow("ec2:RequestSpotInstances"), allow("iam:PassRole", carol_pass))
                    ),
                ),
            ),
        ),
        functions=(
            Function(
                f"arn:aws:lambda:us-east-1:{DEV}:function:nightly", "nightly", arn(DEV, "role", "fn-admin")
            ),
        ),
    )
    shared = AccountSnapshot(
        SHARED,
        "shared-services",
        roles=(
            Role(
                arn(SHARED, "role", "deployer"),
                "deployer",
                trust({"AWS": f"arn:aws:iam::{DEV}:root"}),
                inline=(InlinePolicy("next", doc(allow("sts:AssumeRole", arn(PROD, "role", "Admin")))),),
            ),
        ),
    )
    prod = AccountSnapshot(
        PROD,
        "team-a-prod",
        roles=(
            Role(
                arn(PROD, "role", "Admin"),
                "Admin",
                trust({"AWS": arn(SHARED, "role", "deployer")}),
                (ADMIN_ARN,),
            ),
            Role(
                arn(PROD, "role", "AWSReservedSSO_prod-admin_1a2b"),
                "AWSReservedSSO_prod-admin_1a2b",
                trust({"Federated": f"arn:aws:iam::{PROD}:saml-provider/AWSSSO_x_DO_NOT_DELETE"}),
                (ADMIN_ARN,),
                permission_set="prod-admin",
            ),
        ),
        sso=(SsoAccess("dana", arn(PROD, "role", "AWSReservedSSO_prod-admin_1a2b")),),
    )
    return OrgSnapshot((dev, shared, prod), "o-example", {ADMIN_ARN: ADMIN_DOC})


@pytest.fixture(scope="module")
def catalog() -> ActionCatalog:
    return load_catalog()


def build(snapshot: OrgSnapshot, catalog: ActionCatalog) -> tuple[GraphBuilder, AccessGraph]:
    builder = GraphBuilder(snapshot, catalog)
    return builder, builder.build()


def test_cross_account_path_to_admin_is_reported_hop_by_hop(catalog: ActionCatalog) -> None:
    _, graph = build(organisation(), catalog)
    by_start = {p.start: p for p in paths_to(graph, "admin")}
    alice = by_start[arn(DEV, "user", "alice")]
    assert [(h.kind, h.target) for h in alice.hops] == [
        (EdgeKind.ASSUMES, arn(SHARED, "role", "deployer")),
        (EdgeKind.ASSUMES, arn(PROD, "role", "Admin")),
        (EdgeKind.IS_ADMIN, f"admin:{PROD}"),
    ]
    assert by_start["person:dana"].hops[0].via == "permission set prod-admin"


def test_who_can_assume_the_admin_role_lists_every_principal_with_its_chain(catalog: ActionCatalog) -> None:
    builder, graph = build(organisation(), catalog)
    answers = {
        p.start: [h.target for h in p.hops]
        for p in who_can(builder, graph, "sts:AssumeRole", arn(PROD, "role", "Admin"))
    }
    assert answers[arn(SHARED, "role", "deployer")] == []
    assert answers[arn(DEV, "user", "alice")] == [arn(SHARED, "role", "deployer")]
    # bob rewrites the code of a function running as an administrator of team-a-dev, who may assume deployer
    assert answers[arn(DEV, "user", "bob")] == [arn(DEV, "role", "fn-admin"), arn(SHARED, "role", "deployer")]
    assert arn(PROD, "role", "Admin") not in answers


def test_a_deny_on_the_first_hop_cuts_the_chain(catalog: ActionCatalog) -> None:
    denied = doc(
        allow("sts:AssumeRole", arn(SHARED, "role", "deployer")),
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"},
    )
    _, graph = build(organisation(alice_policy=denied), catalog)
    assert arn(DEV, "user", "alice") not in {p.start for p in paths_to(graph, "admin")}


def test_changing_a_functions_code_leads_to_its_execution_role(catalog: ActionCatalog) -> None:
    _, graph = build(organisation(), catalog)
    bob = [e for e in graph.outgoing[arn(DEV, "user", "bob")] if e.kind is EdgeKind.ESCALATES]
    assert {(e.target, e.via.split()[0]) for e in bob} == {(arn(DEV, "role", "fn-admin"), "take-over-code")}


def test_passrole_reaches_only_the_roles_it_may_pass(catalog: ActionCatalog) -> None:
    _, graph = build(organisation(carol_pass=arn(DEV, "role", "ec2-small")), catalog)
    targets = {
        e.target for e in graph.outgoing[arn(DEV, "user", "carol")] if e.via.startswith("run-code-as-role")
    }
    assert targets == {arn(DEV, "role", "ec2-small")}
    _, graph = build(organisation(), catalog)
    targets = {
        e.target for e in graph.outgoing[arn(DEV, "user", "carol")] if e.via.startswith("run-code-as-role")
    }
    assert targets == {arn(DEV, "role", "ec2-small"), arn(DEV, "role", "ec2-admin")}


def test_paths_to_a_named_role_and_unknown_targets(catalog: ActionCatalog) -> None:
    _, graph = build(organisation(), catalog)
    starts = {p.start for p in paths_to(graph, "team-a-prod/Admin")}
    dev_admins = {arn(DEV, "role", "fn-admin"), arn(DEV, "role", "ec2-admin")}
    assert starts == {arn(DEV, "user", n) for n in ("alice", "bob", "carol")} | dev_admins | {
        arn(SHARED, "role", "deployer")
    }
    with pytest.raises(UnknownTarget):
        paths_to(graph, "team-a-prod/Nope")


def test_snapshot_survives_a_json_round_trip() -> None:
    snapshot = organisation()
    assert snapshot_from_json(snapshot_to_json(snapshot)) == snapshot
    with pytest.raises(SnapshotFormatError):
        snapshot_from_json({"format": "something-else"})
