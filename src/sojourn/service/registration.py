"""One live process per worker name (see ports/workers.py): a second one is refused, a restarted one is not.

A starting worker registers its name. When another process holds it, the newcomer tells a live holder from
a dead one: a holder on this machine whose process is gone is dead at once (a worker restarted after a
crash takes over without waiting); otherwise the newcomer watches the registration for a little longer than
a renewal takes: renewed, its holder is alive and the newcomer is refused (WorkerNameTaken); not renewed,
its holder is dead or stalled and the newcomer takes over. A stalled holder that wakes learns from its
next renewal that its name was taken (WorkerNameLost) and stops; its claims, taken over by the newcomer's,
stop its work in flight before its next change (service/claiming.py).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sojourn.clock import Clock
from sojourn.service.claiming import process_id
from sojourn.service.heartbeat import every_third, heartbeat
from sojourn.service.ports.workers import Registration, WorkerRegistry, WorkerRun

log = logging.getLogger("sojourn.worker")
REGISTRATION_TTL = timedelta(seconds=15)
"""How long a killed worker's name stays registered when nothing tells it is dead; renewed every 5 s."""
WATCH_POLL = 0.5
"""Seconds between looks at another process's registration while telling whether it is alive."""


class WorkerNameTaken(Exception):
    """Another live process runs under this worker name."""

    hint = "stop that worker first, or give this one another --name (each running worker needs its own)"


class WorkerNameLost(Exception):
    """Another process took this worker's name while it ran (it was stalled past its registration)."""

    hint = "run one process per worker name; this one stopped so the two do not take each other's work"


def this_machine() -> str:
    """The boot and process namespace where process ids mean something; empty where that is unknown."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
        return f"{boot}/{Path('/proc/self/ns/pid').readlink()}"
    except OSError:
        return ""


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


class WorkerName:
    """This process's hold on its worker name: taken at start, renewed while it runs, released at the end."""

    def __init__(
        self,
        registry: WorkerRegistry,
        clock: Clock,
        owner: str,
        *,
        ttl: timedelta = REGISTRATION_TTL,
        machine: str | None = None,
        alive: Callable[[int], bool] = process_alive,
        poll: float = WATCH_POLL,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.registry, self.clock, self.ttl, self.alive = registry, clock, ttl, alive
        self.poll, self.sleep = poll, sleep
        self.run = WorkerRun(owner, process_id(), os.getpid(), this_machine() if machine is None else machine)
        self.renew_every = every_third(ttl)
        self._lost = threading.Event()

    @property
    def lost(self) -> bool:
        return self._lost.is_set()

    def take(self) -> None:
        """Register this process under its name; WorkerNameTaken when a live process holds it."""
        first: Registration | None = None
        watch_until = time.monotonic() + self.ttl.total_seconds() + self.renew_every
        while (held := self.registry.register(self.run, self.clock.now(), self.ttl)) is not None:
            if first is not None and (held.run != first.run or held.beats != first.beats):
                raise WorkerNameTaken(self._describe(held, "is already running"))
            if self._dead(held.run) or time.monotonic() > watch_until:
                log.warning("%s; taking over its name", self._describe(held, "stopped renewing or died"))
                self.registry.register(self.run, self.clock.now(), self.ttl, replacing=held.run.process)
                first = None
                continue
            first = first or held
            self.sleep(self.poll)

    @contextmanager
    def kept(self) -> Iterator[None]:
        """Take the name, renew it while the block runs, release it after; `lost` turns True (and an error
        is logged) when another process took it meanwhile."""
        self.take()
        try:
            with heartbeat(self._renew, self.renew_every, "worker name"):
                yield
        finally:
            if not self.lost:
                try:
                    self.registry.release(self.run)
                except Exception as error:  # it runs out instead; a restart here sees this process gone
                    log.warning("worker %s: name not released (%s)", self.run.owner, error)

    def check(self) -> None:
        """WorkerNameLost when another process took this worker's name."""
        if self.lost:
            raise WorkerNameLost(
                f"worker {self.run.owner} was taken over by another process; this one stopped"
            )

    def _renew(self) -> None:
        if not self.lost and not self.registry.renew(self.run, self.clock.now(), self.ttl):
            self._lost.set()
            log.error("worker %s: another process took this worker's name; stopping", self.run.owner)

    def _dead(self, holder: WorkerRun) -> bool:
        """Certainly dead: on this machine (same boot, same process ids), and its process is gone."""
        return bool(self.run.machine) and holder.machine == self.run.machine and not self.alive(holder.pid)

    def _describe(self, held: Registration, state: str) -> str:
        here = bool(self.run.machine) and held.run.machine == self.run.machine
        where = "on this machine" if here else "on another machine"
        return f"worker {self.run.owner} {state} (process {held.run.pid} {where})"
