"""One live process per worker name, on SQLite and PostgreSQL: a second live one is refused, a dead one's
name is taken over (at once on this machine), and a worker whose name was taken stops."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from sojourn.clock import SystemClock
from sojourn.service.ports.workers import WorkerRun
from sojourn.service.provisioning import TickReport
from sojourn.service.registration import WorkerName, WorkerNameLost, WorkerNameTaken
from sojourn.store import Store, open_store
from sojourn.worker.runner import run_loop

OWNER = "host:w1"
MACHINE = "boot/pid:[1]"
TTL = timedelta(seconds=0.3)  # renewed every 0.1 s: the watches below last a fraction of a second
EARLIER = WorkerRun(OWNER, "00000000000000000001-4242", 4242, MACHINE)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    yield opened
    opened.close()


class Sleeps(list[float]):
    """Records each pause of a watch, and pauses."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        threading.Event().wait(seconds)


def name(
    store: Store, *, alive: bool = True, machine: str = MACHINE, sleeps: Sleeps | None = None
) -> WorkerName:
    return WorkerName(
        store.workers,
        SystemClock(),
        OWNER,
        ttl=TTL,
        machine=machine,
        alive=lambda pid: alive,
        poll=0.02,
        sleep=Sleeps() if sleeps is None else sleeps,
    )


def test_a_second_live_worker_of_the_same_name_is_refused(store: Store) -> None:
    first, second = name(store), name(store)
    with first.kept():
        with pytest.raises(WorkerNameTaken) as refused:
            second.take()
        assert not first.lost
    expected = f"worker {OWNER} is already running (process {first.run.pid} on this machine)"
    assert str(refused.value) == expected
    assert "another --name" in refused.value.hint
    second.take()  # the first one stopped and let go of its name


def test_a_crashed_worker_on_this_machine_is_replaced_at_once(store: Store) -> None:
    now = datetime.now(UTC)
    assert store.workers.register(EARLIER, now, timedelta(hours=1)) is None  # killed: never released
    sleeps = Sleeps()
    name(store, alive=False, sleeps=sleeps).take()
    assert sleeps == []  # no watch: its process is gone
    assert not store.workers.renew(EARLIER, now, TTL)


def test_a_silent_worker_elsewhere_is_replaced_after_a_watch(store: Store) -> None:
    now = datetime.now(UTC)
    assert store.workers.register(EARLIER, now, timedelta(hours=1)) is None  # hung, or its clock is wrong
    sleeps = Sleeps()
    name(store, machine="another-boot/pid:[9]", sleeps=sleeps).take()
    assert sleeps  # it watched for renewals first, and saw none
    assert not store.workers.renew(EARLIER, now, TTL)


class Ticking:
    """A worker that does nothing but say it ticked."""

    def __init__(self) -> None:
        self.ticks = threading.Semaphore(0)

    def tick(self) -> TickReport:
        self.ticks.release()
        return TickReport()


def test_a_worker_whose_name_was_taken_stops_and_says_so(store: Store) -> None:
    held, worker = name(store), Ticking()
    with held.kept():
        loop = threading.Thread(
            target=run_loop,
            args=(worker,),
            kwargs={"once": False, "interval": 0.01, "allowed": lambda: not held.lost},
        )
        loop.start()
        assert worker.ticks.acquire(timeout=10)
        intruder = WorkerRun(OWNER, "99999999999999999999-1", 1, MACHINE)
        assert store.workers.register(intruder, datetime.now(UTC), TTL, replacing=held.run.process) is None
        loop.join(10)
        assert not loop.is_alive()  # the loop ended by itself: nobody set a stop event
    assert held.lost
    with pytest.raises(WorkerNameLost):
        held.check()
    assert store.workers.register(held.run, datetime.now(UTC), TTL) is not None  # still the intruder's
