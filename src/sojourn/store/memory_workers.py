"""The in-memory twin of the worker registrations (one process's threads share it); same answers as SQL."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta

from sojourn.service.ports.workers import Registration, WorkerRun


class MemoryWorkerRegistry:
    """Implements the WorkerRegistry port in a dictionary under a lock."""

    def __init__(self) -> None:
        self._held: dict[str, Registration] = {}
        self._lock = threading.Lock()

    def register(
        self, run: WorkerRun, now: datetime, ttl: timedelta, *, replacing: str | None = None
    ) -> Registration | None:
        with self._lock:
            held = self._held.get(run.owner)
            if held is not None and not (
                held.expires_at <= now or held.run.process in (run.process, replacing)
            ):
                return held
            self._held[run.owner] = Registration(run, 0, now + ttl)
            return None

    def renew(self, run: WorkerRun, now: datetime, ttl: timedelta) -> bool:
        with self._lock:
            held = self._held.get(run.owner)
            if held is None or held.run.process != run.process:
                return False
            self._held[run.owner] = replace(held, beats=held.beats + 1, expires_at=now + ttl)
            return True

    def release(self, run: WorkerRun) -> None:
        with self._lock:
            held = self._held.get(run.owner)
            if held is not None and held.run.process == run.process:
                del self._held[run.owner]
