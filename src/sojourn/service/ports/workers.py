"""Worker registrations: at most one live process runs under each worker name.

A worker's name on its host (`host:name`) owns its effect leases and assignment claims, so a restarted
worker takes them back at once; two live processes under one name would take each other's. Each process
registers its name for a short lease, renews it while it runs, and releases it when it stops.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

__all__ = ["Registration", "WorkerRegistry", "WorkerRun"]


@dataclass(frozen=True, slots=True)
class WorkerRun:
    """One run of a named worker: the name that owns its leases, this run's id, its process id, and the
    machine (boot and process namespace) where that process id means something."""

    owner: str
    process: str
    pid: int
    machine: str


@dataclass(frozen=True, slots=True)
class Registration:
    """Who holds a worker name, how many times it renewed it (a live holder's count goes up), until when."""

    run: WorkerRun
    beats: int
    expires_at: datetime


class WorkerRegistry(Protocol):
    """The registered worker names, shared by every worker on the same database."""

    def register(
        self, run: WorkerRun, now: datetime, ttl: timedelta, *, replacing: str | None = None
    ) -> Registration | None:
        """Hold `run.owner` for `run` until now + ttl when it is free, run out, already `run`'s, or held by
        the process `replacing`: None then; else the registration that holds it."""
        ...

    def renew(self, run: WorkerRun, now: datetime, ttl: timedelta) -> bool:
        """Extend `run`'s registration until now + ttl, counting the beat; False when `run` lost it."""
        ...

    def release(self, run: WorkerRun) -> None:
        """Let go of `run`'s registration (nothing when it holds none)."""
        ...
