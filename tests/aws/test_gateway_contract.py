"""One contract, two implementations: the boto3 gateway against moto, and the in-memory twin."""

from __future__ import annotations

import pytest

from sojourn.access.changes import (
    Action,
    AssignmentChange,
    Change,
    GroupChange,
    MembershipChange,
    PermissionSetChange,
    UserChange,
)
from sojourn.access.organization import Account, Organization
from sojourn.access.state import (
    Assignment,
    CustomerManagedPolicyRef,
    GroupSpec,
    Membership,
    PermissionSetSpec,
    PrincipalType,
    UserSpec,
    canonical_policy_json,
)
from sojourn.aws.calls import RetryPolicy
from sojourn.aws.gateway import Boto3IdentityCenter
from sojourn.aws.memory import InMemoryIdentityCenter
from sojourn.aws.settings import AwsSettings
from sojourn.demo.seed import seed_s1_organization
from sojourn.service.ports.provider import IdentityCenterGateway

INLINE = canonical_policy_json(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]}
)
OPS = PermissionSetSpec(
    "ops",
    "Operations",
    "PT2H",
    ("arn:aws:iam::aws:policy/ReadOnlyAccess",),
    (CustomerManagedPolicyRef("team-policy", "/teams/"),),
    INLINE,
)


@pytest.fixture(params=["moto", "memory"])
def gateway(request: pytest.FixtureRequest) -> tuple[IdentityCenterGateway, str]:
    if request.param == "memory":
        org = Organization((Account("111111111111", "team-a-dev", "/dev"),))
        return InMemoryIdentityCenter(org), "111111111111"
    endpoint = request.getfixturevalue("moto_endpoint")
    accounts = seed_s1_organization(endpoint)
    settings = AwsSettings(endpoint_url=endpoint, poll_interval=0.001)
    return Boto3IdentityCenter(settings, retry=RetryPolicy(sleep=lambda _s: None)), accounts["team-a-dev"]


def build(account: str) -> list[Change]:
    return [
        PermissionSetChange(Action.CREATE, "ops", None, OPS),
        UserChange(Action.CREATE, UserSpec("zoe", "Zoe Z", "zoe@example.com", "Zoe", "Z")),
        GroupChange(Action.CREATE, GroupSpec("ops-team", "on call")),
        MembershipChange(Action.CREATE, Membership("ops-team", "zoe")),
        AssignmentChange(Action.CREATE, Assignment(account, "ops", PrincipalType.USER, "zoe")),
        AssignmentChange(Action.CREATE, Assignment(account, "ops", PrincipalType.GROUP, "ops-team")),
    ]


def apply_all(gateway: IdentityCenterGateway, changes: list[Change]) -> None:
    outcomes = gateway.apply_changes(changes, on_outcome=lambda _o: None)
    assert all(o.ok for o in outcomes), [o.detail for o in outcomes if not o.ok]


def state_of(gateway: IdentityCenterGateway):  # type: ignore[no-untyped-def]
    return gateway.read_state(gateway.read_organization(with_tags=False)).state


def test_created_resources_read_back_exactly(gateway: tuple[IdentityCenterGateway, str]) -> None:
    impl, account = gateway
    for change in build(account):
        apply_all(impl, [change])
    state = state_of(impl)
    assert state.permission_sets["ops"] == OPS
    assert state.users["zoe"].email == "zoe@example.com"
    assert state.groups["ops-team"].description == "on call"
    assert state.memberships == {Membership("ops-team", "zoe")}
    assert state.assignments == {
        Assignment(account, "ops", PrincipalType.USER, "zoe"),
        Assignment(account, "ops", PrincipalType.GROUP, "ops-team"),
    }


def test_every_change_is_idempotent(gateway: tuple[IdentityCenterGateway, str]) -> None:
    impl, account = gateway
    changes = build(account)
    for change in changes + changes:
        apply_all(impl, [change])
    before = state_of(impl)
    removals: list[Change] = [
        AssignmentChange(Action.DELETE, c.assignment) for c in changes if isinstance(c, AssignmentChange)
    ] + [MembershipChange(Action.DELETE, Membership("ops-team", "zoe"))]
    for change in removals + removals:
        apply_all(impl, [change])
    after = state_of(impl)
    assert len(before.assignments) == 2 and after.assignments == frozenset()
    assert after.memberships == frozenset()


def test_update_and_delete_permission_set(gateway: tuple[IdentityCenterGateway, str]) -> None:
    impl, account = gateway
    for change in build(account)[:1]:
        apply_all(impl, [change])
    changed = PermissionSetSpec(
        "ops", "Operations, reviewed", "PT4H", ("arn:aws:iam::aws:policy/ViewOnlyAccess",)
    )
    apply_all(impl, [PermissionSetChange(Action.UPDATE, "ops", OPS, changed, (account,))])
    assert state_of(impl).permission_sets["ops"] == changed
    apply_all(impl, [PermissionSetChange(Action.DELETE, "ops", changed, None)])
    assert "ops" not in state_of(impl).permission_sets


def test_failures_are_outcomes_not_exceptions(gateway: tuple[IdentityCenterGateway, str]) -> None:
    impl, account = gateway
    outcome = impl.apply_change(
        AssignmentChange(Action.CREATE, Assignment(account, "nope", PrincipalType.USER, "nobody"))
    )
    assert not outcome.ok and outcome.detail
