"""Claims and effect leases are renewed while slow work lasts (AWS throttled, an assignment in progress), so
another worker does not take them past their first lease; a renewal that finds one taken stops the work
before its next change in the cloud. On SQLite and PostgreSQL; the leases are judged on a fixed clock."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from sojourn.access.changes import Change
from sojourn.access.organization import Account, Organization
from sojourn.access.outcome import ChangeOutcome
from sojourn.access.state import PermissionSetSpec, UserSpec
from sojourn.aws.memory import InMemoryIdentityCenter
from sojourn.clock import FixedClock
from sojourn.service.claiming import CLAIM_LEASE, ClaimHolder
from sojourn.service.ports.claims import AssignmentClaims, Claimant, ClaimKey
from sojourn.service.ports.schedule import OnCallGrant
from sojourn.store import Store, open_store
from sojourn.store.tables import grant_effects
from sojourn.worker.runner import EffectLeases, Worker

T0 = datetime(2026, 11, 24, 9, tzinfo=UTC)
PROD, STAGING = "111111111111", "222222222222"
SHIFT = OnCallGrant("oc-1", "prod-daily", "bob", "prod-admin", (PROD, STAGING), T0, T0 + timedelta(hours=8))
SLOW = timedelta(minutes=5)
"""Longer than any lease here: how long one change in the cloud takes in these tests."""
SETTLE = 10.0
"""Seconds the test waits for the heartbeat thread to have renewed (never reached when it works)."""


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    yield opened
    opened.close()


class SlowCloud(InMemoryIdentityCenter):
    """The twin Identity Center, calling `during(change)` inside each change (while the claims are held)."""

    def __init__(self) -> None:
        super().__init__(Organization((Account(PROD, "prod", "/prod"), Account(STAGING, "staging", "/s"))))
        self.permission_sets["prod-admin"] = PermissionSetSpec("prod-admin")
        self.users["bob"] = UserSpec("bob", "Bob")
        self.during: Callable[[Change], None] = lambda change: None
        self.changed: list[Change] = []

    def apply_change(self, change: Change) -> ChangeOutcome:
        self.during(change)
        self.changed.append(change)
        return super().apply_change(change)


class WatchedClaims:
    """The claims store, telling the test each renewal's time and answer."""

    def __init__(self, inner: AssignmentClaims) -> None:
        self.inner = inner
        self.renewals: list[tuple[datetime, bool]] = []
        self.renewed = threading.Condition()

    def claim(self, key: ClaimKey, claimant: Claimant, now: datetime, lease: timedelta) -> bool:
        return self.inner.claim(key, claimant, now, lease)

    def renew(self, key: ClaimKey, claimant: Claimant, now: datetime, lease: timedelta) -> bool:
        answer = self.inner.renew(key, claimant, now, lease)
        with self.renewed:
            self.renewals.append((now, answer))
            self.renewed.notify_all()
        return answer

    def release(self, key: ClaimKey, claimant: Claimant) -> None:
        self.inner.release(key, claimant)

    def wait_for(self, seen: Callable[[datetime, bool], bool]) -> bool:
        with self.renewed:
            return self.renewed.wait_for(lambda: any(seen(*r) for r in self.renewals), SETTLE)


def test_a_claim_renewed_while_its_work_lasts_is_not_taken_past_its_first_lease(store: Store) -> None:
    clock = FixedClock(T0)
    claims = WatchedClaims(store.claims)
    mine = ClaimHolder(claims, clock, "host:w1", renew_every=0.01)
    theirs = ClaimHolder(store.claims, clock, "host:w2", wait=0)
    with mine.holding("bob", "prod-admin", [PROD]) as hold:
        assert hold.granted
        clock.advance(seconds=3 * CLAIM_LEASE.total_seconds())  # the change outlasts the first lease
        assert claims.wait_for(lambda at, ok: at >= clock.now() and ok)
        with theirs.holding("bob", "prod-admin", [PROD]) as other:
            assert not other.granted
        hold.ensure()  # nothing was lost
    with theirs.holding("bob", "prod-admin", [PROD]) as other:
        assert other.granted  # released at the end of the work


def test_a_claim_taken_meanwhile_stops_the_work_before_its_next_change(store: Store) -> None:
    clock, cloud = FixedClock(T0), SlowCloud()
    claims = WatchedClaims(store.claims)
    worker = Worker(store.grants, cloud, clock, owner="host:w1", claims=claims, on_call=lambda now: [SHIFT])
    worker.context.holder = ClaimHolder(claims, clock, "host:w1", renew_every=0.01)
    successor = Claimant("host:w1", "9" * 20, "t1")  # a later process of the same name (this one stalled)
    noticed = []

    def taken_over(change: Change) -> None:
        if not cloud.changed:
            for account in SHIFT.accounts:
                store.claims.claim(ClaimKey("bob", account, "prod-admin"), successor, clock.now(), SLOW)
            noticed.append(claims.wait_for(lambda at, ok: not ok))

    cloud.during = taken_over
    report = worker.tick()
    assert noticed == [True]  # the heartbeat learnt the claims were lost
    assert report.provisioned == 0 and report.failed == 1
    assert len(cloud.changed) == 1  # the second account was never touched
    with store._engine.connect() as connection:
        error = connection.execute(
            select(grant_effects.c.last_error).where(grant_effects.c.kind == "provision")
        )
    assert "taken by another worker" in error.scalar_one()
    for account in SHIFT.accounts:
        store.claims.release(ClaimKey("bob", account, "prod-admin"), successor)
    cloud.during = lambda change: None
    clock.advance(minutes=1)
    assert worker.tick().provisioned == 1  # retried once the claims came free
    assert {a.account_id for a in cloud.assignments} == set(SHIFT.accounts)


class WatchedGrants:
    """The grants store, telling the test each renewal of effect leases."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.renewals: list[datetime] = []
        self.renewed = threading.Condition()

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def renew_effects(self, ids: Collection[int], owner: str, now: datetime, lease: timedelta) -> set[int]:
        held: set[int] = self.inner.renew_effects(ids, owner, now, lease)  # type: ignore[attr-defined]
        with self.renewed:
            self.renewals.append(now)
            self.renewed.notify_all()
        return held


def test_an_effect_that_outlasts_its_lease_is_not_taken_by_another_worker(store: Store) -> None:
    clock, cloud = FixedClock(T0), SlowCloud()
    grants = WatchedGrants(store.grants)
    lease = timedelta(seconds=0.03)  # renewed every 10 ms of real time; judged on the fixed clock
    worker = Worker(grants, cloud, clock, owner="w1", lease=lease, on_call=lambda now: [SHIFT])  # type: ignore[arg-type]
    stolen, renewed = [], []

    def slow(change: Change) -> None:
        clock.advance(seconds=SLOW.total_seconds())
        with grants.renewed:
            renewed.append(
                grants.renewed.wait_for(lambda: any(t >= clock.now() for t in grants.renewals), SETTLE)
            )
        stolen.extend(store.grants.claim_effects(clock.now(), "w2", lease))

    cloud.during = slow
    assert worker.tick().provisioned == 1
    assert renewed == [True, True] and stolen == []
    assert len(cloud.changed) == 2


def test_an_effect_another_worker_took_after_its_lease_ran_out_is_left_to_it(store: Store) -> None:
    clock = FixedClock(T0)
    Worker(store.grants, SlowCloud(), clock, owner="w0", on_call=lambda now: [SHIFT]).hold(SHIFT, T0)
    lease = timedelta(minutes=2)
    mine = store.grants.claim_effects(T0, "w1", lease)
    leases = EffectLeases(store.grants, clock, "w1", lease, mine)
    taken = store.grants.claim_effects(T0 + lease + timedelta(seconds=1), "w2", lease)
    assert taken and {e.id for e in taken} == {e.id for e in mine}
    leases.renew()
    assert not any(leases.still_ours(e) for e in mine)
