"""The in-memory twin of the audit log, and the lock that the other twins write their records under.

The twin store's one lock stands in for the database's transactions: a change and its audit record are
written together or not at all, and concurrent writers keep one unbroken chain. Values go through the
same JSON round trip as in the database, so the twin answers exactly as SQLite and PostgreSQL do.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sojourn.access.audit import (
    GENESIS,
    AuditEvent,
    AuditRecord,
    Checkpoint,
    VerifyReport,
    chain_next,
    matches,
    siem_line,
    verify_chain,
)

__all__ = ["MemoryAuditLog", "as_stored", "utc"]


def as_stored(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if value is None else dict(json.loads(json.dumps(dict(value), sort_keys=True, default=str)))


def utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


class MemoryAuditLog:
    """The hash-chained audit log in a list; `records` and `head` are open so tests can tamper."""

    def __init__(self, lock: threading.RLock | None = None) -> None:
        self.lock = lock or threading.RLock()
        self.records: list[AuditRecord] = []
        self.head: tuple[int, str] = (0, GENESIS)

    def prepare(self, event: AuditEvent) -> AuditRecord:
        """The record `event` would become (raises as the database would); call `commit` under the lock."""
        record = chain_next(self.head[0] + 1, self.head[1], event)
        stored = replace(
            event,
            at=utc(event.at),
            before=as_stored(event.before),
            after=as_stored(event.after),
            details=as_stored(event.details) or {},
        )
        return replace(record, event=stored)

    def commit(self, record: AuditRecord) -> None:
        """Write a prepared record at the end of the chain."""
        self.records.append(record)
        self.head = (record.seq, record.hash)

    def append(self, event: AuditEvent) -> AuditRecord:
        with self.lock:
            record = self.prepare(event)
            self.commit(record)
        return record

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
        with self.lock:
            records = list(self.records)
        if limit is not None:
            matching = self.query(
                person=person,
                account_id=account_id,
                permission_set=permission_set,
                action=action,
                since=since,
                until=until,
            )
            below = [r for r in reversed(matching) if before_seq is None or r.seq < before_seq]
            return below[:limit]
        return [
            r
            for r in sorted(records, key=lambda r: r.seq)
            if matches(
                r,
                person=person,
                account_id=account_id,
                permission_set=permission_set,
                action=action,
                since=None if since is None else utc(since),
                until=None if until is None else utc(until),
            )
        ]

    def verify(self, expected_head: str | None = None, checkpoint: Checkpoint | None = None) -> VerifyReport:
        with self.lock:
            records, head = sorted(self.records, key=lambda r: r.seq), self.head
        return verify_chain(records, head, expected_head, checkpoint)

    def checkpoint(self, at: datetime) -> Checkpoint | None:
        with self.lock:
            first = next((r.hash for r in self.records if r.seq == 1), None)
            if first is None or self.head[0] == 0:
                return None
            return Checkpoint(first, self.head[0], self.head[1], len(self.records), at)

    def check_database(self) -> None:
        """The twin lives as long as the process: never replaced."""

    def count(self) -> int:
        with self.lock:
            return len(self.records)

    def export_jsonl(self, write: Callable[[str], None], *, since: datetime | None = None) -> int:
        records = self.query(since=since)
        for record in records:
            write(siem_line(record))
        return len(records)
