"""The audit log port: append-only and hash-chained; queried for who had access when, verified, exported."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from sojourn.access.audit import AuditEvent, AuditRecord, VerifyReport

__all__ = ["AuditEvent", "AuditRecord", "AuditRepository", "VerifyReport"]


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
    ) -> list[AuditRecord]:
        """Records matching every filter given, in sequence order; `action` may hold *, `until` excluded."""
        ...

    def verify(self, expected_head: str | None = None) -> VerifyReport:
        """Recompute the chain; `expected_head` is a head hash kept elsewhere, to catch a truncated tail."""
        ...

    def count(self) -> int:
        """How many records the log holds."""
        ...

    def export_jsonl(self, write: Callable[[str], None], *, since: datetime | None = None) -> int:
        """Write the records from `since` as SIEM JSON lines (docs/audit.md); how many were written."""
        ...
