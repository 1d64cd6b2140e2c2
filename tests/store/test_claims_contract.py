"""One contract for assignment claims: the SQL store (SQLite, PostgreSQL) and its in-memory twin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sojourn.service.ports.claims import AssignmentClaims, Claimant, ClaimKey
from tests.store.conftest import Backend
from tests.store.racing import winners_of_a_race

AT = datetime(2026, 6, 1, 12, tzinfo=UTC)
LEASE = timedelta(seconds=30)
KEY = ClaimKey("alice", "111111111111", "prod-admin")
W1_T1 = Claimant("host:w1", "pid-100", "t1")
W1_T2 = Claimant("host:w1", "pid-100", "t2")
W1_LATER = Claimant("host:w1", "pid-200", "t1")
W2 = Claimant("host:w2", "pid-300", "t1")


def claims(backend: Backend) -> AssignmentClaims:
    return backend.store.claims


def test_one_holder_at_a_time_until_released(backend: Backend) -> None:
    held = claims(backend)
    assert held.claim(KEY, W1_T1, AT, LEASE)
    assert not held.claim(KEY, W1_T2, AT, LEASE)  # another thread of the same process waits
    assert not held.claim(KEY, W2, AT, LEASE)  # so does another worker
    assert held.claim(KEY, W1_T1, AT + timedelta(seconds=1), LEASE)  # the holder renews
    held.release(KEY, W2)  # not its claim: nothing happens
    assert not held.claim(KEY, W2, AT, LEASE)
    held.release(KEY, W1_T1)
    assert held.claim(KEY, W2, AT, LEASE)


def test_other_assignments_are_claimed_independently(backend: Backend) -> None:
    held = claims(backend)
    assert held.claim(KEY, W1_T1, AT, LEASE)
    for other in (
        ClaimKey("bob", KEY.account_id, KEY.permission_set),
        ClaimKey(KEY.principal, "222222222222", KEY.permission_set),
        ClaimKey(KEY.principal, KEY.account_id, "read-only"),
    ):
        assert held.claim(other, W2, AT, LEASE)


def test_a_run_out_claim_is_taken_over(backend: Backend) -> None:
    held = claims(backend)
    assert held.claim(KEY, W1_T1, AT, LEASE)
    assert not held.claim(KEY, W2, AT + LEASE - timedelta(seconds=1), LEASE)
    assert held.claim(KEY, W2, AT + LEASE, LEASE)
    held.release(KEY, W1_T1)  # the old holder's release no longer frees it
    assert not held.claim(KEY, W1_T2, AT + LEASE, LEASE)


def test_a_restarted_worker_takes_back_its_claims_at_once(backend: Backend) -> None:
    held = claims(backend)
    assert held.claim(KEY, W1_T1, AT, LEASE)
    assert held.claim(KEY, W1_LATER, AT, LEASE)  # same worker name, a later process: the first one died
    assert not held.claim(KEY, W1_T1, AT, LEASE)


def test_racing_claimants_never_both_win(backend: Backend) -> None:
    store = backend.reopen()
    try:
        stores = [backend.store.claims, store.claims]
        for round_ in range(5):
            key = ClaimKey(f"p{round_}", KEY.account_id, KEY.permission_set)

            def claim(n: int, key: ClaimKey = key) -> bool:
                return stores[n % 2].claim(
                    key, Claimant(f"host:w{n % 2}", f"pid-{n % 2}", f"t{n}"), AT, LEASE
                )

            assert winners_of_a_race(claim) == 1
    finally:
        if store is not backend.store:
            store.close()


def test_a_renewed_claim_outlasts_its_first_lease(backend: Backend) -> None:
    held = claims(backend)
    assert held.claim(KEY, W1_T1, AT, LEASE)
    assert held.renew(KEY, W1_T1, AT + LEASE - timedelta(seconds=1), LEASE)
    assert not held.claim(KEY, W2, AT + LEASE + timedelta(seconds=1), LEASE)  # past the first lease
    assert held.claim(KEY, W2, AT + 2 * LEASE, LEASE)  # the renewed lease ran out too


def test_a_renewal_says_when_the_claim_was_lost_and_never_takes_one(backend: Backend) -> None:
    held = claims(backend)
    assert not held.renew(KEY, W1_T1, AT, LEASE)  # nothing held: renewing does not claim
    assert held.claim(KEY, W1_T1, AT, LEASE)
    assert not held.renew(KEY, W2, AT, LEASE)  # someone else's claim
    assert held.renew(KEY, W1_T1, AT + 2 * LEASE, LEASE)  # run out but not taken: still ours
    assert held.claim(KEY, W1_LATER, AT + 2 * LEASE, LEASE)  # a later process of the worker takes it
    assert not held.renew(KEY, W1_T1, AT + 2 * LEASE, LEASE)  # the old holder learns it lost it
    held.release(KEY, W1_LATER)
    assert not held.renew(KEY, W1_LATER, AT + 2 * LEASE, LEASE)  # released: gone
