"""One provider contract, three implementations: the boto3 gateway against moto, its in-memory twin, and the
test-only fake cloud (a second provider with its own vocabulary, given the permission sets it can hold)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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
from sojourn.service.ports.provider import Provider
from tests.provider.fake_cloud import fresh_provider

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


CHANGED = PermissionSetSpec(
    "ops", "Operations, reviewed", "PT4H", ("arn:aws:iam::aws:policy/ViewOnlyAccess",)
)
PLAIN = PermissionSetSpec("ops", "Operations", managed_policies=("compute.viewer", "logging.viewer"))
PLAIN_CHANGED = PermissionSetSpec("ops", "Operations, reviewed", managed_policies=("compute.admin",))


@dataclass(frozen=True)
class Subject:
    """A provider under contract, one scope in it, and permission sets it can hold."""

    provider: Provider
    scope: str
    spec: PermissionSetSpec = OPS
    changed: PermissionSetSpec = CHANGED


@pytest.fixture(params=["moto", "memory", "fakecloud"])
def subject(request: pytest.FixtureRequest) -> Subject:
    if request.param == "memory":
        org = Organization((Account("111111111111", "team-a-dev", "/dev"),))
        return Subject(InMemoryIdentityCenter(org), "111111111111")
    if request.param == "fakecloud":
        fake = fresh_provider()
        scope = next(p.project_id for p in fake.cloud.projects.values() if p.display_name == "team-a-dev")
        return Subject(fake, scope, PLAIN, PLAIN_CHANGED)
    endpoint = request.getfixturevalue("moto_endpoint")
    accounts = seed_s1_organization(endpoint)
    settings = AwsSettings(endpoint_url=endpoint, poll_interval=0.001)
    gateway = Boto3IdentityCenter(settings, retry=RetryPolicy(sleep=lambda _s: None))
    return Subject(gateway, accounts["team-a-dev"])


@pytest.fixture
def gateway(subject: Subject) -> tuple[Provider, str]:
    return subject.provider, subject.scope


def build(account: str, spec: PermissionSetSpec = OPS) -> list[Change]:
    return [
        PermissionSetChange(Action.CREATE, "ops", None, spec),
        UserChange(Action.CREATE, UserSpec("zoe", "Zoe Z", "zoe@example.com", "Zoe", "Z")),
        GroupChange(Action.CREATE, GroupSpec("ops-team", "on call")),
        MembershipChange(Action.CREATE, Membership("ops-team", "zoe")),
        AssignmentChange(Action.CREATE, Assignment(account, "ops", PrincipalType.USER, "zoe")),
        AssignmentChange(Action.CREATE, Assignment(account, "ops", PrincipalType.GROUP, "ops-team")),
    ]


def apply_all(gateway: Provider, changes: list[Change]) -> None:
    outcomes = gateway.apply_changes(changes, on_outcome=lambda _o: None)
    assert all(o.ok for o in outcomes), [o.detail for o in outcomes if not o.ok]


def apply_each(gateway: Provider, changes: list[Change]) -> None:
    """One at a time: a batch may run at once, and these depend on each other."""
    for change in changes:
        apply_all(gateway, [change])


def state_of(gateway: Provider):  # type: ignore[no-untyped-def]
    return gateway.read_state(gateway.read_organization(with_tags=False)).state


def test_created_resources_read_back_exactly(subject: Subject) -> None:
    impl, account = subject.provider, subject.scope
    for change in build(account, subject.spec):
        apply_all(impl, [change])
    state = state_of(impl)
    assert state.permission_sets["ops"] == subject.spec
    assert state.users["zoe"].email == "zoe@example.com"
    assert state.groups["ops-team"].description == "on call"
    assert state.memberships == {Membership("ops-team", "zoe")}
    assert state.assignments == {
        Assignment(account, "ops", PrincipalType.USER, "zoe"),
        Assignment(account, "ops", PrincipalType.GROUP, "ops-team"),
    }


def test_every_change_is_idempotent(subject: Subject) -> None:
    impl, account = subject.provider, subject.scope
    changes = build(account, subject.spec)
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


def test_an_assignment_is_read_back_afresh(subject: Subject) -> None:
    impl, account = subject.provider, subject.scope
    changes = build(account, subject.spec)
    zoe = Assignment(account, "ops", PrincipalType.USER, "zoe")
    assert not impl.assignment_exists(zoe)  # neither the permission set nor the user exist yet
    apply_each(impl, changes)
    assert impl.assignment_exists(zoe)
    assert impl.assignment_exists(Assignment(account, "ops", PrincipalType.GROUP, "ops-team"))
    apply_all(impl, [AssignmentChange(Action.DELETE, zoe)])
    assert not impl.assignment_exists(zoe)
    assert not impl.assignment_exists(Assignment(account, "ops", PrincipalType.USER, "nobody"))


def test_update_and_delete_permission_set(subject: Subject) -> None:
    impl, account, spec, changed = subject.provider, subject.scope, subject.spec, subject.changed
    for change in build(account, spec)[:1]:
        apply_all(impl, [change])
    apply_all(impl, [PermissionSetChange(Action.UPDATE, "ops", spec, changed, (account,))])
    assert state_of(impl).permission_sets["ops"] == changed
    apply_all(impl, [PermissionSetChange(Action.DELETE, "ops", changed, None)])
    assert "ops" not in state_of(impl).permission_sets


def test_failures_are_outcomes_not_exceptions(gateway: tuple[Provider, str]) -> None:
    impl, account = gateway
    outcome = impl.apply_change(
        AssignmentChange(Action.CREATE, Assignment(account, "nope", PrincipalType.USER, "nobody"))
    )
    assert not outcome.ok and outcome.detail


def test_apply_changes_reports_each_outcome_once(subject: Subject) -> None:
    impl, account = subject.provider, subject.scope
    changes = build(account, subject.spec)
    apply_each(impl, changes[:4])
    seen: list[Change] = []
    outcomes = impl.apply_changes(changes[4:], on_outcome=lambda o: seen.append(o.change))
    assert sorted(map(repr, seen)) == sorted(map(repr, changes[4:]))
    assert sorted(repr(o.change) for o in outcomes) == sorted(map(repr, changes[4:]))
    assert all(o.ok for o in outcomes)


def test_revoking_sessions_is_idempotent_and_invisible_to_plans(subject: Subject) -> None:
    impl, account = subject.provider, subject.scope
    apply_each(impl, build(account, subject.spec))
    organization = impl.read_organization(with_tags=False)
    pairs = {(account, "ops")}  # moto lists provisioned accounts wrongly after a re-provisioning
    before = impl.read_state(organization, pairs).state
    now = datetime(2027, 1, 4, 9, tzinfo=UTC)
    first = impl.revoke_sessions("ops", [("zoe", now)], now)
    assert first and not first.startswith("no change")
    assert impl.revoke_sessions("ops", [("zoe", now)], now).startswith("no change")
    assert impl.revoke_sessions("ops", [("zoe", now - timedelta(hours=1))], now).startswith("no change")
    later = now + timedelta(minutes=30)
    assert not impl.revoke_sessions("ops", [("zoe", later)], later).startswith("no change")
    assert impl.read_state(organization, pairs).state == before
    with pytest.raises(Exception):  # noqa: B017 - each provider raises its own error type
        impl.revoke_sessions("no-such-set", [("zoe", now)], now)


def test_the_instance_is_named_and_stable(subject: Subject) -> None:
    impl = subject.provider
    assert impl.instance_id and impl.instance_id == impl.instance_id
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in impl.config_settings().items())
    assert subject.scope in {a.id for a in impl.read_organization(with_tags=False).accounts}


def test_the_caller_identity_names_who_the_credentials_are(subject: Subject) -> None:
    """The audit actor's last fallback (issue 14): never empty, and on AWS the ARN sts answers."""
    caller = subject.provider.caller_identity()
    assert caller
    if isinstance(subject.provider, Boto3IdentityCenter):
        assert caller.startswith("arn:aws:") and (":user/" in caller or ":assumed-role/" in caller)
