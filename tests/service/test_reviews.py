"""The review use cases over the in-memory store and provider: reminders, the deadline, the outcome as a
configuration file, direct removals outside the configuration, and the evidence."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sojourn.access.organization import Account, Organization
from sojourn.access.review import DEADLINE_REVIEWER, ReviewScope, Status, Verdict
from sojourn.access.state import Assignment, PermissionSetSpec, PrincipalType, UserSpec
from sojourn.aws.memory import InMemoryIdentityCenter
from sojourn.clock import FixedClock
from sojourn.service.config_files import read_config_sources
from sojourn.service.planning import load_config
from sojourn.service.review_outcome import config_change, evidence, remove_outside
from sojourn.service.reviews import ReviewRefused, ReviewService
from sojourn.store.memory import MemoryStore, open_memory_store

PROD = "111111111111"
T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
CONFIG = """\
permission_sets: [{name: developer}]
people: [{user_name: alice}, {user_name: bob}, {user_name: erin}]
teams: [{name: team-a, members: [alice, bob]}]
rules: [{name: dev, who: {teams: [team-a]}, where: {all: true}, what: [developer]}]
reviews: {team_leads: {team-a: [bob]}, people: [erin], deadline: 2d}
"""


class Reminders:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, int]] = []

    def __call__(
        self, reviewer: str, campaign_id: str, name: str, count: int, deadline: datetime, at: datetime, /
    ) -> None:
        self.sent.append((reviewer, campaign_id, count))


@pytest.fixture
def setup(tmp_path: Path) -> tuple[ReviewService, MemoryStore, InMemoryIdentityCenter, FixedClock, Reminders]:
    (tmp_path / "access").mkdir()
    (tmp_path / "access" / "main.yaml").write_text(CONFIG)
    cloud = InMemoryIdentityCenter(Organization((Account(PROD, "prod", "/prod"),)))
    cloud.permission_sets["developer"] = PermissionSetSpec("developer")
    cloud.users |= {person: UserSpec(person, person) for person in ("alice", "bob", "mallory")}
    cloud.assignments |= {
        Assignment(PROD, "developer", PrincipalType.USER, person) for person in ("alice", "bob", "mallory")
    }
    store, clock, reminders = open_memory_store(), FixedClock(T0), Reminders()
    service = ReviewService(
        store.reviews, clock, tmp_path / "access", lambda r, i: cloud, audit=store.audit, remind=reminders
    )
    return service, store, cloud, clock, reminders


def test_reminders_go_to_each_reviewer_with_undecided_items(setup) -> None:  # type: ignore[no-untyped-def]
    service, _, _, _, reminders = setup
    campaign = service.start("q4", ReviewScope(), "carol")
    alice = next(i for i in campaign.items if i.subject == "alice")
    service.decide(campaign.campaign_id, alice.item_id, "bob", Verdict.CERTIFY, "")
    assert service.remind() == {"erin": 2}
    assert reminders.sent == [("erin", campaign.campaign_id, 2)]
    assert service.show(campaign.campaign_id).reminded_at == T0


def test_the_deadline_revokes_and_the_outcome_is_a_configuration_file(setup) -> None:  # type: ignore[no-untyped-def]
    service, store, cloud, clock, _ = setup
    campaign = service.start("q4", ReviewScope(), "carol")
    cid = campaign.campaign_id
    items = {i.subject: i for i in campaign.items}
    service.decide(cid, items["alice"].item_id, "bob", Verdict.CERTIFY, "needed")
    with pytest.raises(ReviewRefused, match="has not come"):
        service.close(cid, "carol")
    with pytest.raises(ReviewRefused, match="still open"):
        config_change(service, cid)
    clock.advance(days=2)
    assert service.close_due() == [cid]
    closed = service.show(cid)
    assert closed.status is Status.CLOSED
    by_deadline = {d.item_id for d in closed.decisions if d.reviewer == DEADLINE_REVIEWER}
    assert by_deadline == {items["bob"].item_id, items["mallory"].item_id}
    actions = [r.event.action for r in store.audit.query()]
    assert actions == ["review.start", "review.certify", "review.revoke", "review.revoke", "review.close"]

    change = config_change(service, cid)
    assert not change.written and not change.path.exists() and change.revocations == 1
    assert change.patch.startswith("--- /dev/null") and '+    person: "bob"' in change.patch
    assert config_change(service, cid, write=True).written
    config = load_config(read_config_sources(service.config_path))
    assert [(r.principal, r.decided_by) for r in config.revocations] == [("bob", DEADLINE_REVIEWER)]

    removals = remove_outside(service, cid, "carol")
    assert [(r.assignment.principal, r.ok, r.detail) for r in removals] == [("mallory", True, "deleted")]
    assert Assignment(PROD, "developer", PrincipalType.USER, "mallory") not in cloud.assignments
    assert remove_outside(service, cid, "carol") == []  # done once
    _, rows = evidence(service, cid)
    assert {r.subject: r.changed_in_aws.split(" ")[0] for r in rows} == {
        "alice": "",
        "bob": "",
        "mallory": "removed",
    }
    assert store.audit.query(action="assignment.delete")[0].event.person == "mallory"


def test_a_single_configuration_file_is_not_rewritten(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, store, cloud, clock, _ = setup
    single = ReviewService(store.reviews, clock, tmp_path / "access" / "main.yaml", lambda r, i: cloud)
    campaign = single.start("q4", ReviewScope(), "carol")
    single.close(campaign.campaign_id, "carol", early=True)
    with pytest.raises(ReviewRefused, match="give the configuration as a directory"):
        config_change(single, campaign.campaign_id)


def test_a_failed_direct_removal_is_recorded_and_retried(setup) -> None:  # type: ignore[no-untyped-def]
    service, store, cloud, _, _ = setup
    campaign = service.start("q4", ReviewScope(), "carol")
    mallory = next(i for i in campaign.items if i.subject == "mallory")
    service.decide(campaign.campaign_id, mallory.item_id, "erin", Verdict.REVOKE, "unknown person")
    service.close(campaign.campaign_id, "carol", early=True)
    cloud.fail = lambda change: "injected: ThrottlingException"
    (failed,) = remove_outside(service, campaign.campaign_id, "carol")
    assert not failed.ok and "Throttling" in failed.detail
    assert dict(service.show(campaign.campaign_id).changes)[mallory.item_id].startswith("removal failed")
    assert store.audit.query(action="assignment.delete.failed")[0].event.person == "mallory"
    assert Assignment(PROD, "developer", PrincipalType.USER, "mallory") in cloud.assignments
    cloud.fail = None
    (retried,) = remove_outside(service, campaign.campaign_id, "carol")
    assert (
        retried.ok and Assignment(PROD, "developer", PrincipalType.USER, "mallory") not in cloud.assignments
    )
    assert dict(service.show(campaign.campaign_id).changes)[mallory.item_id].startswith("removed ")


def test_reminders_when_due_follow_remind_every(setup) -> None:  # type: ignore[no-untyped-def]
    service, _, _, clock, reminders = setup
    service.start("q4", ReviewScope(), "carol")
    assert service.remind_due() == {"bob": 1, "erin": 2}
    clock.advance(days=2, seconds=-1)
    assert service.remind_due() == {}  # the default remind_every is 3d
    clock.advance(days=1, seconds=1)
    assert service.remind_due() == {"bob": 1, "erin": 2}
    assert len(reminders.sent) == 4
