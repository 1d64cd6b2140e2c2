"""Worker registrations in `worker_registrations`: one row per worker name (see ports/workers.py).

As with assignment claims, the primary key lets one insert win on SQLite and PostgreSQL alike, and one
conditional UPDATE takes a row over, so two processes starting under one name cannot both register.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from sojourn.service.ports.workers import Registration, WorkerRun
from sojourn.store.tables import worker_registrations

c = worker_registrations.c


class WorkerRegistryStore:
    """Implements the WorkerRegistry port over one SQL database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert: Any = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def register(
        self, run: WorkerRun, now: datetime, ttl: timedelta, *, replacing: str | None = None
    ) -> Registration | None:
        row = {"process": run.process, "pid": run.pid, "machine": run.machine, "beats": 0}
        until = (now + ttl).astimezone(UTC)
        with self._engine.begin() as connection:
            inserted = connection.execute(
                self._insert(worker_registrations)
                .values(owner=run.owner, expires_at=until, **row)
                .on_conflict_do_nothing()
                .returning(c.owner)
            ).first()
            if inserted is not None:
                return None
            takeable = [c.expires_at <= now.astimezone(UTC), c.process == run.process]
            if replacing is not None:
                takeable.append(c.process == replacing)
            taken = connection.execute(
                update(worker_registrations)
                .where(c.owner == run.owner, or_(*takeable))
                .values(expires_at=until, **row)
            ).rowcount
            if taken:
                return None
            holder = connection.execute(select(worker_registrations).where(c.owner == run.owner)).first()
        if holder is None:  # released between the two statements: free now
            return self.register(run, now, ttl, replacing=replacing)
        expires_at = holder.expires_at if holder.expires_at.tzinfo else holder.expires_at.replace(tzinfo=UTC)
        return Registration(
            WorkerRun(holder.owner, holder.process, holder.pid, holder.machine), holder.beats, expires_at
        )

    def renew(self, run: WorkerRun, now: datetime, ttl: timedelta) -> bool:
        with self._engine.begin() as connection:
            renewed = connection.execute(
                update(worker_registrations)
                .where(c.owner == run.owner, c.process == run.process)
                .values(expires_at=(now + ttl).astimezone(UTC), beats=c.beats + 1)
            ).rowcount
        return bool(renewed)

    def release(self, run: WorkerRun) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                delete(worker_registrations).where(c.owner == run.owner, c.process == run.process)
            )
