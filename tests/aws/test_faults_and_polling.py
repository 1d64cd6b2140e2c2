"""Retries and asynchronous status polling, exercised against a real moto server with injected faults."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError

from sojourn.access.changes import Action, AssignmentChange, PermissionSetChange, UserChange
from sojourn.access.state import Assignment, PermissionSetSpec, PrincipalType, UserSpec
from sojourn.aws.calls import RetryPolicy
from sojourn.aws.faults import FaultPlan, LingeringAssignments, inject_faults, linger_assignments
from sojourn.aws.gateway import Boto3IdentityCenter
from sojourn.aws.settings import AwsSettings
from sojourn.demo.seed import seed_s1_organization


@pytest.fixture
def seeded(moto_endpoint: str) -> tuple[str, dict[str, str]]:
    return moto_endpoint, seed_s1_organization(moto_endpoint)


def _gateway(endpoint: str, **overrides: object) -> Boto3IdentityCenter:
    settings = AwsSettings(endpoint_url=endpoint, poll_interval=0.001, **overrides)  # type: ignore[arg-type]
    return Boto3IdentityCenter(
        settings, retry=RetryPolicy(max_attempts=settings.max_attempts, sleep=lambda _s: None)
    )


def _setup_changes(account: str) -> list:
    return [
        PermissionSetChange(Action.CREATE, "ops", None, PermissionSetSpec("ops", "ops", "PT2H")),
        UserChange(Action.CREATE, UserSpec("zoe", "Zoe Z", "zoe@example.com", "Zoe", "Z")),
        AssignmentChange(Action.CREATE, Assignment(account, "ops", PrincipalType.USER, "zoe")),
    ]


def _assignments_in_aws(endpoint: str, account: str) -> list[dict]:
    sso = boto3.client("sso-admin", endpoint_url=endpoint, region_name="us-east-1")
    instance = sso.list_instances()["Instances"][0]["InstanceArn"]
    found = []
    for arn in sso.list_permission_sets(InstanceArn=instance)["PermissionSets"]:
        found += sso.list_account_assignments(InstanceArn=instance, AccountId=account, PermissionSetArn=arn)[
            "AccountAssignments"
        ]
    return found


def test_every_third_call_throttled_still_converges(seeded: tuple[str, dict[str, str]]) -> None:
    endpoint, accounts = seeded
    gateway = _gateway(endpoint)
    faults = inject_faults([gateway.clients.sso_admin, gateway.clients.identitystore], FaultPlan(every=3))
    outcomes = [gateway.apply_change(change) for change in _setup_changes(accounts["team-a-dev"])]
    assert all(o.ok for o in outcomes), [o.detail for o in outcomes]
    assert faults.injected > 0
    assert sum(gateway.log.retries.values()) == faults.injected
    assert len(_assignments_in_aws(endpoint, accounts["team-a-dev"])) == 1


def test_retries_give_up_with_the_aws_error_after_max_attempts(seeded: tuple[str, dict[str, str]]) -> None:
    endpoint, accounts = seeded
    gateway = _gateway(endpoint, max_attempts=3)
    inject_faults([gateway.clients.sso_admin], FaultPlan(every=1, only=frozenset({"CreatePermissionSet"})))
    outcome = gateway.apply_change(_setup_changes(accounts["team-a-dev"])[0])
    assert not outcome.ok
    assert "ThrottlingException" in outcome.detail
    assert gateway.log.counts["sso-admin:create_permission_set"] == 3


def test_assignment_in_progress_is_polled_until_it_succeeds(seeded: tuple[str, dict[str, str]]) -> None:
    endpoint, accounts = seeded
    gateway = _gateway(endpoint)
    behaviour = linger_assignments(gateway.clients.sso_admin, LingeringAssignments(polls=3))
    outcomes = [gateway.apply_change(change) for change in _setup_changes(accounts["team-a-dev"])]
    assert all(o.ok for o in outcomes)
    assert list(behaviour.seen.values()) == [4]
    assert gateway.log.counts["sso-admin:describe_account_assignment_creation_status"] == 4


def test_failed_assignment_surfaces_the_aws_reason(seeded: tuple[str, dict[str, str]]) -> None:
    endpoint, accounts = seeded
    gateway = _gateway(endpoint)
    linger_assignments(
        gateway.clients.sso_admin,
        LingeringAssignments(polls=1, fail_with="Received a 404 status error: No policy found"),
    )
    outcomes = [gateway.apply_change(change) for change in _setup_changes(accounts["team-a-dev"])]
    assert [o.ok for o in outcomes] == [True, True, False]
    assert "No policy found" in outcomes[2].detail


def test_apply_is_idempotent(seeded: tuple[str, dict[str, str]]) -> None:
    endpoint, accounts = seeded
    gateway = _gateway(endpoint)
    changes = _setup_changes(accounts["team-a-dev"])
    first = [gateway.apply_change(c) for c in changes]
    second = [gateway.apply_change(c) for c in changes]
    assert all(o.ok for o in first + second)
    assert second[1].detail == "already present"
    assert len(_assignments_in_aws(endpoint, accounts["team-a-dev"])) == 1
    removal = AssignmentChange(Action.DELETE, changes[2].assignment)
    assert gateway.apply_change(removal).ok
    assert gateway.apply_change(removal).ok
    assert _assignments_in_aws(endpoint, accounts["team-a-dev"]) == []


def test_the_workers_on_one_pair_share_one_listing_of_its_assignments(
    seeded: tuple[str, dict[str, str]],
) -> None:
    endpoint, accounts = seeded
    gateway = _gateway(endpoint)
    account = accounts["team-a-dev"]
    people = [UserSpec(f"user{i}", f"User {i}", f"user{i}@example.com", "User", str(i)) for i in range(12)]
    setup = [_setup_changes(account)[0], *(UserChange(Action.CREATE, person) for person in people)]
    assert all(gateway.apply_change(change).ok for change in setup)
    creations = [
        AssignmentChange(Action.CREATE, Assignment(account, "ops", PrincipalType.USER, person.user_name))
        for person in people
    ]
    outcomes = gateway.apply_changes(creations, on_outcome=lambda _outcome: None)
    assert [o.ok for o in outcomes] == [True] * 12, [o.detail for o in outcomes]
    assert gateway.log.counts["sso-admin:list_account_assignments"] == 1
    assert len(_assignments_in_aws(endpoint, account)) == 12


def test_a_read_back_never_takes_its_answer_from_a_listing_started_before_it_was_asked(
    seeded: tuple[str, dict[str, str]],
) -> None:
    """Worker A's listing of a pair is in flight when B removes zoe and reads it back: B waits for A's
    listing, sees it started too early to show the removal, and lists again."""
    endpoint, accounts = seeded
    gateway = _gateway(endpoint)
    account = accounts["team-a-dev"]
    bob = UserSpec("bob", "Bob B", "bob@example.com", "Bob", "B")
    setup = [*_setup_changes(account), UserChange(Action.CREATE, bob)]
    assert all(gateway.apply_change(change).ok for change in setup)
    zoe = Assignment(account, "ops", PrincipalType.USER, "zoe")
    call = gateway.writer.calls.call
    real_pages = call.pages
    fetched, release = threading.Event(), threading.Event()

    def slow_pages(*args: Any, **kwargs: Any) -> Iterator[Any]:
        items = list(real_pages(*args, **kwargs))
        if not fetched.is_set():
            fetched.set()
            release.wait(30)
        return iter(items)

    call.pages = slow_pages  # type: ignore[method-assign]
    answers: dict[str, bool] = {}
    a = threading.Thread(
        target=lambda: answers.__setitem__(
            "a", gateway.assignment_exists(Assignment(account, "ops", PrincipalType.USER, "bob"))
        )
    )
    a.start()
    assert fetched.wait(30)  # A holds a listing in which zoe is still assigned
    assert gateway.apply_change(AssignmentChange(Action.DELETE, zoe)).ok
    b = threading.Thread(target=lambda: answers.__setitem__("b", gateway.assignment_exists(zoe)))
    b.start()
    time.sleep(0.2)  # B is waiting for A's listing
    release.set()
    a.join(30)
    b.join(30)
    assert answers == {"a": False, "b": False}
    assert gateway.log.counts["sso-admin:list_account_assignments"] >= 2


def test_organization_read_gives_ou_paths_and_tags(seeded: tuple[str, dict[str, str]]) -> None:
    endpoint, accounts = seeded
    organization = _gateway(endpoint).read_organization()
    by_name = organization.by_name()
    assert by_name["team-a-prod"].ou_path == "/prod"
    assert by_name["billing"].ou_path == "/finance"
    assert by_name["team-b-dev"].tags == {"team": "team-b"}
    assert by_name["team-b-dev"].id == accounts["team-b-dev"]


def test_pair_strategy_is_chosen_when_cheaper_and_reads_the_same(seeded: tuple[str, dict[str, str]]) -> None:
    from sojourn.access.state import PermissionSetSpec, UserSpec

    endpoint, accounts = seeded
    gateway = _gateway(endpoint)
    account = accounts["team-b-dev"]
    changes = [PermissionSetChange(Action.CREATE, "ops", None, PermissionSetSpec("ops", "ops", "PT2H"))]
    for i in range(6):
        changes.append(UserChange(Action.CREATE, UserSpec(f"u{i}", f"U {i}", "", "U", str(i))))
        changes.append(
            AssignmentChange(Action.CREATE, Assignment(account, "ops", PrincipalType.USER, f"u{i}"))
        )
    assert all(gateway.apply_change(c).ok for c in changes)
    organization = gateway.read_organization(with_tags=False)
    by_principal = gateway.read_state(organization)
    by_pair = gateway.read_state(organization, {(account, "ops")})
    assert (by_principal.strategy, by_pair.strategy) == ("principal", "pair")
    assert by_pair.state.assignments == by_principal.state.assignments and len(by_pair.state.assignments) == 6
    assert by_pair.api_calls["sso-admin:list_account_assignments"] == 1
    assert "sso-admin:list_account_assignments_for_principal" not in by_pair.api_calls


def test_auto_asks_per_principal_when_the_provisioned_pairs_hold_nothing(
    seeded: tuple[str, dict[str, str]],
) -> None:
    """moto lists a provisioned permission set on its own account only; the pairs then hold no assignment,
    and `auto` must not answer "nobody is assigned" from them."""
    endpoint, accounts = seeded
    gateway = _gateway(endpoint)
    changes = [PermissionSetChange(Action.CREATE, "ops", None, PermissionSetSpec("ops", "ops", "PT2H"))]
    for i in range(3):
        changes.append(UserChange(Action.CREATE, UserSpec(f"u{i}", f"U {i}", "", "U", str(i))))
        changes.append(
            AssignmentChange(
                Action.CREATE, Assignment(accounts["team-b-dev"], "ops", PrincipalType.USER, f"u{i}")
            )
        )
    assert all(gateway.apply_change(c).ok for c in changes)
    sso = boto3.client("sso-admin", endpoint_url=endpoint, region_name="us-east-1")
    arn = sso.list_permission_sets(InstanceArn=gateway.instance_id)["PermissionSets"][0]
    sso.provision_permission_set(
        InstanceArn=gateway.instance_id, PermissionSetArn=arn, TargetType="ALL_PROVISIONED_ACCOUNTS"
    )
    read = gateway.read_state(gateway.read_organization(with_tags=False))
    assert read.api_calls["sso-admin:list_account_assignments"] == 1
    assert read.strategy == "principal" and len(read.state.assignments) == 3


@pytest.mark.parametrize("code", ["EndpointConnectionError", "ConnectionClosedError", "ReadTimeoutError"])
def test_dropped_and_refused_connections_are_retried(seeded: tuple[str, dict[str, str]], code: str) -> None:
    endpoint, accounts = seeded
    gateway = _gateway(endpoint)
    faults = inject_faults(
        [gateway.clients.sso_admin, gateway.clients.identitystore], FaultPlan(every=2, code=code)
    )
    outcomes = [gateway.apply_change(change) for change in _setup_changes(accounts["team-a-dev"])]
    assert all(o.ok for o in outcomes), [o.detail for o in outcomes]
    assert faults.injected > 0 and sum(gateway.log.retries.values()) == faults.injected
    assert len(_assignments_in_aws(endpoint, accounts["team-a-dev"])) == 1


def test_a_connection_that_stays_down_is_raised_after_the_retries(
    seeded: tuple[str, dict[str, str]],
) -> None:
    endpoint, accounts = seeded
    gateway = _gateway(endpoint, max_attempts=3)
    for change in _setup_changes(accounts["team-a-dev"])[:2]:
        assert gateway.apply_change(change).ok
    inject_faults([gateway.clients.sso_admin], FaultPlan(every=1, code="EndpointConnectionError"))
    zoe = Assignment(accounts["team-a-dev"], "ops", PrincipalType.USER, "zoe")
    with pytest.raises(EndpointConnectionError):  # apply stops there; the worker retries the effect
        gateway.apply_change(AssignmentChange(Action.CREATE, zoe))
    assert gateway.log.retries  # tried again before giving up


def test_faults_are_read_from_the_environment() -> None:
    from sojourn.settings import Settings, SettingsError

    settings = Settings.from_environment(
        {"SOJOURN_AWS_FAULTS": "ThrottlingException:0.05, EndpointConnectionError:0.5"}
    )
    assert settings.aws_faults == (("ThrottlingException", 0.05), ("EndpointConnectionError", 0.5))
    assert Settings.from_environment({}).aws_faults == ()
    for bad in ("Throttling", "ThrottlingException:2", "x y:0.1", "ThrottlingException:lots"):
        with pytest.raises(SettingsError, match="SOJOURN_AWS_FAULTS"):
            Settings.from_environment({"SOJOURN_AWS_FAULTS": bad})
