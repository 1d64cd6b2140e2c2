"""In-memory twins of the store's repositories, for tests and the demo: same ports, same behaviour.

One lock per twin store stands in for the database's transactions: a change and its audit record are
written together or not at all, and concurrent writers keep one unbroken chain. Values go through the
same JSON round trip as in the database, so a twin answers exactly as SQLite and PostgreSQL do.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sojourn.access.api_token import TokenRecord, TokenRefusal, judge_token
from sojourn.access.apply_run import DONE, FAILED, PENDING, RUNNING, Run, RunChange
from sojourn.access.audit import (
    GENESIS,
    AuditEvent,
    AuditRecord,
    VerifyReport,
    chain_next,
    matches,
    siem_line,
    verify_chain,
)
from sojourn.store.memory_grants import MemoryGrantStore
from sojourn.store.memory_usage import MemoryUsageStore

__all__ = ["MemoryAuditLog", "MemoryRunLog", "MemoryStore", "MemoryTokenStore", "open_memory_store"]


def _round_trip(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if value is None else dict(json.loads(json.dumps(dict(value), sort_keys=True, default=str)))


def _utc(at: datetime) -> datetime:
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
            at=_utc(event.at),
            before=_round_trip(event.before),
            after=_round_trip(event.after),
            details=_round_trip(event.details) or {},
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
    ) -> list[AuditRecord]:
        with self.lock:
            records = list(self.records)
        return [
            r
            for r in sorted(records, key=lambda r: r.seq)
            if matches(
                r,
                person=person,
                account_id=account_id,
                permission_set=permission_set,
                action=action,
                since=None if since is None else _utc(since),
                until=None if until is None else _utc(until),
            )
        ]

    def verify(self, expected_head: str | None = None) -> VerifyReport:
        with self.lock:
            records, head = sorted(self.records, key=lambda r: r.seq), self.head
        return verify_chain(records, head, expected_head)

    def count(self) -> int:
        with self.lock:
            return len(self.records)

    def export_jsonl(self, write: Callable[[str], None], *, since: datetime | None = None) -> int:
        records = self.query(since=since)
        for record in records:
            write(siem_line(record))
        return len(records)


@dataclass
class _RunRow:
    id: str
    started_at: datetime
    actor: str
    reason: str
    base_fingerprint: str
    status: str
    changes: list[RunChange]
    finished_at: datetime | None = None


class MemoryRunLog:
    """Apply runs in dictionaries, each change written together with its audit record."""

    def __init__(self, audit: MemoryAuditLog) -> None:
        self._audit = audit
        self._runs: dict[str, _RunRow] = {}
        self._applied: dict[str, tuple[str, str]] = {}

    def start(
        self,
        *,
        at: datetime,
        actor: str,
        reason: str,
        base_fingerprint: str,
        planned: Sequence[tuple[str, str]],
        start_event: AuditEvent,
    ) -> str:
        run_id = uuid.uuid4().hex
        changes = [RunChange(i, text, PENDING, "") for i, (_key, text) in enumerate(planned)]
        with self._audit.lock:
            record = self._audit.prepare(replace(start_event, run_id=run_id))
            self._runs[run_id] = _RunRow(run_id, _utc(at), actor, reason, base_fingerprint, RUNNING, changes)
            self._audit.commit(record)
        return run_id

    def record_change(
        self, run_id: str, position: int, *, ok: bool, detail: str, event: AuditEvent | None
    ) -> AuditRecord | None:
        with self._audit.lock:
            record = None if event is None else self._audit.prepare(replace(event, run_id=run_id))
            row = self._runs.get(run_id)
            if row is not None and 0 <= position < len(row.changes):
                status = DONE if ok else FAILED
                row.changes[position] = replace(row.changes[position], status=status, detail=detail[:2000])
            if record is not None:
                self._audit.commit(record)
        return record

    def finish(
        self,
        run_id: str,
        *,
        at: datetime,
        status: str,
        event: AuditEvent,
        applied_state: tuple[str, str] | None = None,
    ) -> None:
        with self._audit.lock:
            record = self._audit.prepare(replace(event, run_id=run_id))
            row = self._runs.get(run_id)
            if applied_state is not None and row is None:
                raise KeyError(f"no run {run_id!r} to remember the applied state of")
            if row is not None:
                row.status, row.finished_at = status, _utc(at)
            if applied_state is not None:
                instance, state_json = applied_state
                self._applied[instance] = (run_id, state_json)
            self._audit.commit(record)

    def get(self, run_id: str) -> Run | None:
        with self._audit.lock:
            row = self._runs.get(run_id)
            if row is None:
                return None
            return Run(
                row.id, row.started_at, row.finished_at, row.actor, row.reason, row.status, tuple(row.changes)
            )

    def latest(self, limit: int = 10) -> list[Run]:
        with self._audit.lock:
            ids = [r.id for r in sorted(self._runs.values(), key=lambda r: r.started_at, reverse=True)]
        return [run for run in (self.get(i) for i in ids[:limit]) if run is not None]

    def applied_state(self, instance: str) -> str | None:
        with self._audit.lock:
            found = self._applied.get(instance)
        return None if found is None else found[1]


class MemoryTokenStore:
    """API tokens in a dictionary keyed by token id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, TokenRecord] = {}

    def add(self, record: TokenRecord) -> None:
        with self._lock:
            if record.token_id in self._tokens:
                raise ValueError(f"a token with id {record.token_id!r} exists already")
            self._tokens[record.token_id] = replace(
                record,
                created_at=_utc(record.created_at),
                expires_at=_utc(record.expires_at),
                revoked_at=None,
            )

    def get(self, token_id: str) -> TokenRecord | None:
        with self._lock:
            return self._tokens.get(token_id)

    def verify(self, token_id: str, secret: str, now: datetime) -> TokenRecord | TokenRefusal:
        return judge_token(self.get(token_id), secret, now)

    def list_tokens(self) -> list[TokenRecord]:
        with self._lock:
            return sorted(self._tokens.values(), key=lambda t: (t.created_at, t.token_id))

    def revoke(self, token_id: str, at: datetime) -> bool:
        with self._lock:
            record = self._tokens.get(token_id)
            if record is None or record.revoked_at is not None:
                return False
            self._tokens[token_id] = replace(record, revoked_at=_utc(at))
            return True


@dataclass(frozen=True, slots=True)
class MemoryStore:
    """The twin of `Store`: the same repositories, held in memory and gone when the process ends."""

    audit: MemoryAuditLog
    runs: MemoryRunLog
    grants: MemoryGrantStore
    tokens: MemoryTokenStore = field(default_factory=MemoryTokenStore)
    usage: MemoryUsageStore = field(default_factory=MemoryUsageStore)

    def close(self) -> None:
        """Nothing to let go of; here so a twin store is closed like a real one."""


def open_memory_store() -> MemoryStore:
    """An empty twin store whose runs and grants write to its audit log under one lock."""
    audit = MemoryAuditLog()
    return MemoryStore(audit, MemoryRunLog(audit), MemoryGrantStore(audit))
