"""The audit log port: append-only and hash-chained; queried for who had access when, verified, exported."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sojourn.access.audit import (
    AuditEvent,
    AuditRecord,
    Checkpoint,
    CheckpointInvalid,
    DatabaseReplaced,
    VerifyReport,
)

__all__ = [
    "AuditEvent",
    "AuditRecord",
    "AuditRepository",
    "Checkpoint",
    "CheckpointInvalid",
    "CheckpointStore",
    "DatabaseReplaced",
    "VerifyReport",
]


class AuditRepository(Protocol):
    """The audit log. Changes that carry their own record (runs, grants) append it in their transaction."""

    def append(self, event: AuditEvent) -> AuditRecord:
        """Write one record at the end of the chain (concurrent writers serialise)."""
        ...

    def query(
        self,
        *,
        person: str | None = None,
        account_id: str | None = None,
        permission_set: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before_seq: int | None = None,
        limit: int | None = None,
    ) -> list[AuditRecord]:
        """Records matching every filter given, in sequence order; `action` may hold *, `until` excluded.

        With `limit`: the newest `limit` matching records below `before_seq`, newest first (a page)."""
        ...

    def verify(self, expected_head: str | None = None, checkpoint: Checkpoint | None = None) -> VerifyReport:
        """Recompute the chain in one consistent snapshot; against a head hash kept elsewhere, and against
        a checkpoint (the log must still hold it, and may have grown since)."""
        ...

    def checkpoint(self, at: datetime) -> Checkpoint | None:
        """The log's head as a checkpoint taken at `at`; None while the log is empty."""
        ...

    def check_database(self) -> None:
        """Raise DatabaseReplaced if the database opened was deleted or replaced since."""
        ...

    def count(self) -> int:
        """How many records the log holds."""
        ...

    def export_jsonl(self, write: Callable[[str], None], *, since: datetime | None = None) -> int:
        """Write the records from `since` as SIEM JSON lines (docs/audit.md); how many were written."""
        ...


class CheckpointStore(Protocol):
    """Signed checkpoints kept outside the database, signed with a key the database does not hold."""

    def write(self, checkpoint: Checkpoint) -> object:
        """Sign and keep `checkpoint`."""
        ...

    def latest(self) -> Checkpoint | None:
        """The newest checkpoint with its signature checked (raises if it does not hold); None if none."""
        ...
