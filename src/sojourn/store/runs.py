"""Apply runs: what a run meant to do, what it did, and the state the last good run left behind."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, or_, select, update

from sojourn.access.apply_run import (
    DONE,
    FAILED,
    INTERRUPTED,
    PENDING,
    RUNNING,
    STARTED,
    Run,
    RunChange,
)
from sojourn.access.audit import AuditEvent, AuditRecord
from sojourn.store.audit import append
from sojourn.store.tables import applied_states, apply_runs, run_changes

__all__ = ["DONE", "FAILED", "PENDING", "Run", "RunChange", "RunLog", "process_gone", "this_process"]


def this_process() -> str:
    """host:pid, the owner recorded on a run."""
    return f"{socket.gethostname()}:{os.getpid()}"


def process_gone(owner: str) -> bool:
    """Whether the process that owns a run is known to be gone: on this host and no longer running.

    A run owned by another host is never taken for gone (its process cannot be seen from here).
    """
    host, _, pid = owner.rpartition(":")
    if not owner:
        return True
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class RunLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def start(
        self,
        *,
        at: datetime,
        actor: str,
        reason: str,
        base_fingerprint: str,
        planned: Sequence[tuple[str, str, str]],
        start_event: AuditEvent,
    ) -> str:
        """Record the run and every planned (key, description, document) as pending, with the run's
        opening audit record; the run's owner is this process."""
        run_id = uuid.uuid4().hex
        with self._engine.begin() as connection:
            connection.execute(
                insert(apply_runs).values(
                    id=run_id,
                    started_at=at.astimezone(UTC),
                    actor=actor,
                    reason=reason,
                    base_fingerprint=base_fingerprint,
                    status=RUNNING,
                    owner=this_process(),
                )
            )
            if planned:
                connection.execute(
                    insert(run_changes),
                    [
                        {
                            "run_id": run_id,
                            "position": i,
                            "change_key": key,
                            "description": text,
                            "status": PENDING,
                            "detail": "",
                            "document": document,
                        }
                        for i, (key, text, document) in enumerate(planned)
                    ],
                )
            append(connection, _with_run(start_event, run_id))
        return run_id

    def record_intents(self, run_id: str, intents: Sequence[tuple[int, AuditEvent]]) -> None:
        """Mark changes STARTED with their intent records, in one transaction, before AWS is asked."""
        if not intents:
            return
        with self._engine.begin() as connection:
            connection.execute(
                update(run_changes)
                .where(
                    run_changes.c.run_id == run_id,
                    run_changes.c.position.in_([position for position, _ in intents]),
                )
                .values(status=STARTED)
            )
            for _, event in intents:
                append(connection, _with_run(event, run_id))

    def unreconciled(self) -> list[Run]:
        """Runs left running by a process that is gone, and interrupted runs with changes in flight."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(apply_runs.c.id, apply_runs.c.status, apply_runs.c.owner)
                .where(or_(apply_runs.c.status == RUNNING, apply_runs.c.status == INTERRUPTED))
                .order_by(apply_runs.c.started_at)
            ).all()
        found = []
        for row in rows:
            if row.status == RUNNING and not process_gone(row.owner or ""):
                continue
            run = self.get(row.id)
            if run is not None and (run.status == RUNNING or run.in_flight):
                found.append(run)
        return found

    def record_change(
        self, run_id: str, position: int, *, ok: bool, detail: str, event: AuditEvent | None
    ) -> AuditRecord | None:
        """Mark one change done or failed and write its audit record in the same transaction."""
        with self._engine.begin() as connection:
            connection.execute(
                update(run_changes)
                .where(run_changes.c.run_id == run_id, run_changes.c.position == position)
                .values(status=DONE if ok else FAILED, detail=detail[:2000])
            )
            return append(connection, _with_run(event, run_id)) if event is not None else None

    def finish(
        self,
        run_id: str,
        *,
        at: datetime,
        status: str,
        event: AuditEvent,
        applied_state: tuple[str, str] | None = None,
    ) -> None:
        """Close the run; on success also remember the state it applied (instance, JSON)."""
        with self._engine.begin() as connection:
            connection.execute(
                update(apply_runs)
                .where(apply_runs.c.id == run_id)
                .values(status=status, finished_at=at.astimezone(UTC))
            )
            if applied_state is not None:
                instance, state_json = applied_state
                existing = connection.execute(
                    select(applied_states.c.id).where(applied_states.c.instance == instance)
                ).first()
                if existing is None:
                    connection.execute(
                        insert(applied_states).values(instance=instance, run_id=run_id, state=state_json)
                    )
                else:
                    connection.execute(
                        update(applied_states)
                        .where(applied_states.c.instance == instance)
                        .values(run_id=run_id, state=state_json)
                    )
            append(connection, _with_run(event, run_id))

    def get(self, run_id: str) -> Run | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(apply_runs).where(apply_runs.c.id == run_id)).first()
            if row is None:
                return None
            changes = connection.execute(
                select(run_changes).where(run_changes.c.run_id == run_id).order_by(run_changes.c.position)
            ).all()
        return Run(
            row.id,
            _utc(row.started_at),
            _utc(row.finished_at) if row.finished_at else None,
            row.actor,
            row.reason,
            row.status,
            tuple(
                RunChange(c.position, c.description, c.status, c.detail, c.document or "") for c in changes
            ),
            row.owner or "",
        )

    def latest(self, limit: int = 10) -> list[Run]:
        with self._engine.connect() as connection:
            ids = (
                connection.execute(
                    select(apply_runs.c.id).order_by(apply_runs.c.started_at.desc()).limit(limit)
                )
                .scalars()
                .all()
            )
        return [run for run in (self.get(i) for i in ids) if run is not None]

    def applied_state(self, instance: str) -> str | None:
        with self._engine.connect() as connection:
            value = connection.execute(
                select(applied_states.c.state).where(applied_states.c.instance == instance)
            ).scalar_one_or_none()
        return None if value is None else str(value)


def _with_run(event: AuditEvent, run_id: str) -> AuditEvent:
    return replace(event, run_id=run_id)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
