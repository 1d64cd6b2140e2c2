"""The apply-run port: a run and its planned changes, each marked with its audit record as it happens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sojourn.access.apply_run import Run, RunChange
from sojourn.access.audit import AuditEvent, AuditRecord

__all__ = ["Run", "RunChange", "RunRepository"]


class RunRepository(Protocol):
    """Apply runs, so a partial apply says what it did and what it left, and the last applied state."""

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
        """Record a run owned by this process with every planned (key, description, document JSON)
        pending and its opening audit record; its id."""
        ...

    def record_intents(self, run_id: str, intents: Sequence[tuple[int, AuditEvent]]) -> None:
        """Mark the changes at these positions STARTED with their intent records: both or neither."""
        ...

    def unreconciled(self) -> list[Run]:
        """Runs left `running` by a process that is gone, and interrupted runs with changes in flight."""
        ...

    def record_change(
        self, run_id: str, position: int, *, ok: bool, detail: str, event: AuditEvent | None
    ) -> AuditRecord | None:
        """Mark one change done or failed together with its audit record: both or neither."""
        ...

    def finish(
        self,
        run_id: str,
        *,
        at: datetime,
        status: str,
        event: AuditEvent,
        applied_state: tuple[str, str] | None = None,
    ) -> None:
        """Close the run with its audit record; on success also keep the state applied (instance, JSON)."""
        ...

    def get(self, run_id: str) -> Run | None:
        """The run with its changes in plan order, if there is one."""
        ...

    def latest(self, limit: int = 10) -> list[Run]:
        """The most recently started runs, newest first."""
        ...

    def applied_state(self, instance: str) -> str | None:
        """The state (JSON) that the last successful run on `instance` applied."""
        ...
