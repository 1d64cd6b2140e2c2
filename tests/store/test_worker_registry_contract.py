"""One contract for worker registrations: the SQL store (SQLite, PostgreSQL) and its in-memory twin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sojourn.service.ports.workers import WorkerRegistry, WorkerRun
from tests.store.conftest import Backend
from tests.store.racing import winners_of_a_race

AT = datetime(2026, 6, 1, 12, tzinfo=UTC)
TTL = timedelta(seconds=15)
FIRST = WorkerRun("host:w1", "0001-100", 100, "boot/pid:[1]")
SECOND = WorkerRun("host:w1", "0002-200", 200, "boot/pid:[1]")
OTHER_NAME = WorkerRun("host:w2", "0003-300", 300, "boot/pid:[1]")


def registry(backend: Backend) -> WorkerRegistry:
    return backend.store.workers


def test_one_process_per_name_and_the_holder_is_told(backend: Backend) -> None:
    names = registry(backend)
    assert names.register(FIRST, AT, TTL) is None
    held = names.register(SECOND, AT, TTL)
    assert held is not None and held.run == FIRST and held.beats == 0 and held.expires_at == AT + TTL
    assert names.register(OTHER_NAME, AT, TTL) is None  # another name is independent
    assert names.register(FIRST, AT, TTL) is None  # registering again is harmless


def test_renewals_are_counted_so_a_watcher_tells_a_live_holder(backend: Backend) -> None:
    names = registry(backend)
    assert names.register(FIRST, AT, TTL) is None
    assert names.renew(FIRST, AT + TTL, TTL) and names.renew(FIRST, AT + TTL, TTL)
    held = names.register(SECOND, AT + TTL + timedelta(seconds=1), TTL)  # past the first ttl: renewed
    assert held is not None and held.beats == 2 and held.expires_at == AT + 2 * TTL
    assert not names.renew(SECOND, AT, TTL)  # renewing never takes a name


def test_a_run_out_or_replaced_holder_loses_the_name_and_learns_it(backend: Backend) -> None:
    names = registry(backend)
    assert names.register(FIRST, AT, TTL) is None
    assert names.register(SECOND, AT + TTL, TTL) is None  # run out
    assert not names.renew(FIRST, AT + TTL, TTL)
    assert names.register(FIRST, AT + TTL, TTL, replacing="someone-else") is not None
    assert names.register(FIRST, AT + TTL, TTL, replacing=SECOND.process) is None  # SECOND is dead
    assert not names.renew(SECOND, AT + TTL, TTL)
    names.release(SECOND)  # not its name any more: nothing happens
    assert names.register(SECOND, AT + TTL, TTL) is not None
    names.release(FIRST)
    assert names.register(SECOND, AT + TTL, TTL) is None


def test_racing_processes_never_both_register(backend: Backend) -> None:
    store = backend.reopen()
    try:
        stores = [backend.store.workers, store.workers]
        for round_ in range(5):
            owner = f"host:r{round_}"

            def register(n: int, owner: str = owner) -> bool:
                return stores[n % 2].register(WorkerRun(owner, f"000{n}", n, "boot"), AT, TTL) is None

            assert winners_of_a_race(register) == 1
    finally:
        if store is not backend.store:
            store.close()
