"""The audit log's use cases: verify the chain, find records, export them, and who held what when."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sojourn.service.held import Holding, held_between
from sojourn.service.ports.audit import AuditRecord, AuditRepository, VerifyReport

__all__ = ["AuditFilter", "AuditRecord", "AuditTrail", "VerifyReport", "as_utc"]


def as_utc(value: datetime | None) -> datetime | None:
    """A time without a zone is read as UTC (the log keeps UTC)."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Records of this person, account, permission set and action (* allowed), in [since, until)."""

    person: str | None = None
    account_id: str | None = None
    permission_set: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class AuditTrail:
    """The audit log as the CLI and the API read it."""

    def __init__(self, log: AuditRepository) -> None:
        self._log = log

    def verify(self, expected_head: str | None = None) -> VerifyReport:
        """Every record's hash and link checked; `expected_head` catches a truncated tail."""
        return self._log.verify(expected_head=expected_head)

    def records(self, wanted: AuditFilter) -> list[AuditRecord]:
        """The records that match every filter given, in sequence order."""
        return self._log.query(
            person=wanted.person,
            account_id=wanted.account_id,
            permission_set=wanted.permission_set,
            action=wanted.action,
            since=as_utc(wanted.since),
            until=as_utc(wanted.until),
        )

    def export(self, write: Callable[[str], None], since: datetime | None = None) -> int:
        """Write the records from SINCE as SIEM JSON lines; how many were written."""
        return self._log.export_jsonl(write, since=as_utc(since))

    def held(self, permission_set: str, account_id: str, since: datetime, until: datetime) -> list[Holding]:
        """Who held PERMISSION_SET on ACCOUNT_ID in [since, until), from when to when, approved by whom."""
        start, end = as_utc(since), as_utc(until)
        assert start is not None and end is not None
        return held_between(self._log, permission_set, account_id, start, end)
