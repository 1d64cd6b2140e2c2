"""In-memory twins of the store's repositories, for tests and the demo: same ports, same behaviour.

Runs and grants write their audit records under the twin audit log's lock (store/memory_audit.py), as the
database writes a change and its record in one transaction.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sojourn.access.api_token import TokenRecord, TokenRefusal, judge_token
from sojourn.access.apply_run import DONE, FAILED, INTERRUPTED, PENDING, RUNNING, STARTED, Run, RunChange
from sojourn.access.audit import AuditEvent, AuditRecord
from sojourn.store.memory_audit import MemoryAuditLog, utc
from sojourn.store.memory_claims import MemoryAssignmentClaims
from sojourn.store.memory_grants import MemoryGrantStore
from sojourn.store.memory_reviews import MemoryReviewStore
from sojourn.store.memory_usage import MemoryUsageStore
from sojourn.store.memory_workers import MemoryWorkerRegistry

__all__ = ["MemoryAuditLog", "MemoryRunLog", "MemoryStore", "MemoryTokenStore", "open_memory_store"]


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
        planned: Sequence[tuple[str, str, str]],
        start_event: AuditEvent,
    ) -> str:
        run_id = uuid.uuid4().hex
        changes = [RunChange(i, text, PENDING, "", doc) for i, (_key, text, doc) in enumerate(planned)]
        with self._audit.lock:
            record = self._audit.prepare(replace(start_event, run_id=run_id))
            self._runs[run_id] = _RunRow(run_id, utc(at), actor, reason, base_fingerprint, RUNNING, changes)
            self._audit.commit(record)
        return run_id

    def record_intents(self, run_id: str, intents: Sequence[tuple[int, AuditEvent]]) -> None:
        with self._audit.lock:
            row = self._runs[run_id]
            for position, event in intents:
                row.changes[position] = replace(row.changes[position], status=STARTED)
                self._audit.commit(self._audit.prepare(replace(event, run_id=run_id)))

    def unreconciled(self) -> list[Run]:
        """Interrupted runs with changes in flight (a twin's running runs belong to this live process)."""
        with self._audit.lock:
            ids = [r.id for r in self._runs.values() if r.status == INTERRUPTED]
        runs = [run for run in (self.get(i) for i in ids) if run is not None]
        return [run for run in runs if run.in_flight]

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
                row.status, row.finished_at = status, utc(at)
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
        if any("\x00" in text for text in (record.name, record.person or "", record.issued_by or "")):
            raise ValueError("text with a NUL character (\\x00) is not accepted; remove it and retry")
        with self._lock:
            if record.token_id in self._tokens:
                raise ValueError(f"a token with id {record.token_id!r} exists already")
            self._tokens[record.token_id] = replace(
                record,
                created_at=utc(record.created_at),
                expires_at=utc(record.expires_at),
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
            self._tokens[token_id] = replace(record, revoked_at=utc(at))
            return True


@dataclass(frozen=True, slots=True)
class MemoryStore:
    """The twin of `Store`: the same repositories, held in memory and gone when the process ends."""

    audit: MemoryAuditLog
    runs: MemoryRunLog
    grants: MemoryGrantStore
    tokens: MemoryTokenStore = field(default_factory=MemoryTokenStore)
    usage: MemoryUsageStore = field(default_factory=MemoryUsageStore)
    claims: MemoryAssignmentClaims = field(default_factory=MemoryAssignmentClaims)
    workers: MemoryWorkerRegistry = field(default_factory=MemoryWorkerRegistry)
    reviews: MemoryReviewStore = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "reviews", MemoryReviewStore(self.audit))

    def close(self) -> None:
        """Nothing to let go of; here so a twin store is closed like a real one."""


def open_memory_store() -> MemoryStore:
    """An empty twin store whose runs and grants write to its audit log under one lock."""
    audit = MemoryAuditLog()
    return MemoryStore(audit, MemoryRunLog(audit), MemoryGrantStore(audit))
