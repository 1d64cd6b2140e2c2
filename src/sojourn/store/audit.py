"""The hash-chained audit log: append in the caller's transaction, verify, query, export."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from sojourn.access.audit import (
    GENESIS,
    SIEM_SCHEMA_VERSION,
    AuditEvent,
    AuditRecord,
    Checkpoint,
    DatabaseReplaced,
    VerifyReport,
    canonical_time,
    chain_next,
    record_hash,
    siem_document,
    siem_line,
    verify_chain,
)
from sojourn.store.tables import audit_records, chain_head

__all__ = [
    "GENESIS",
    "SIEM_SCHEMA_VERSION",
    "AuditEvent",
    "AuditLog",
    "AuditRecord",
    "Checkpoint",
    "DatabaseReplaced",
    "VerifyReport",
    "append",
    "canonical_time",
    "record_hash",
    "siem_document",
]


def append(connection: Connection, event: AuditEvent) -> AuditRecord:
    """Append inside the caller's transaction, holding the chain head so concurrent writers serialise."""
    head = connection.execute(
        select(chain_head.c.seq, chain_head.c.hash).where(chain_head.c.id == 1).with_for_update()
    ).first()
    if head is None:
        raise RuntimeError("the audit chain head row is missing; the database was not migrated by Sojourn")
    record = chain_next(int(head.seq) + 1, str(head.hash), event)
    seq, digest = record.seq, record.hash
    connection.execute(
        insert(audit_records).values(
            seq=seq,
            at=event.at.astimezone(UTC),
            actor=event.actor,
            action=event.action,
            reason=event.reason,
            person=event.person,
            account_id=event.account_id,
            permission_set=event.permission_set,
            target=event.target,
            before=_dump(event.before),
            after=_dump(event.after),
            run_id=event.run_id,
            details=json.dumps(dict(event.details), sort_keys=True, default=str),
            prev_hash=record.prev_hash,
            hash=digest,
        )
    )
    connection.execute(update(chain_head).where(chain_head.c.id == 1).values(seq=seq, hash=digest))
    return record


def _sqlite_file(engine: Engine) -> Path | None:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database).resolve()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


def _dump(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(dict(value), sort_keys=True, default=str)


def _load(value: str | None) -> dict[str, Any] | None:
    return None if value is None else dict(json.loads(value))


def _record(row: Any) -> AuditRecord:
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    event = AuditEvent(
        at=at,
        actor=row.actor,
        action=row.action,
        reason=row.reason,
        target=row.target,
        person=row.person,
        account_id=row.account_id,
        permission_set=row.permission_set,
        before=_load(row.before),
        after=_load(row.after),
        run_id=row.run_id,
        details=json.loads(row.details),
    )
    return AuditRecord(int(row.seq), event, row.prev_hash, row.hash)


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._file = _sqlite_file(engine)
        self._file_identity = _identity(self._file) if self._file is not None else None

    def check_database(self) -> None:
        """Raise DatabaseReplaced when the SQLite file opened was deleted or replaced since."""
        if self._file is None:
            return
        found = _identity(self._file)
        if found != self._file_identity:
            what = "deleted" if found is None else "replaced by another file"
            raise DatabaseReplaced(f"the database file {self._file} was {what} while Sojourn had it open")

    def checkpoint(self, at: datetime) -> Checkpoint | None:
        """The log's head as a checkpoint (None while the log is empty), read in one transaction."""
        with self._engine.connect() as connection:
            first = connection.execute(select(audit_records.c.hash).where(audit_records.c.seq == 1)).first()
            head = connection.execute(select(chain_head.c.seq, chain_head.c.hash)).first()
            count = connection.execute(select(func.count()).select_from(audit_records)).scalar_one()
        if first is None or head is None or int(head.seq) == 0:
            return None
        return Checkpoint(str(first.hash), int(head.seq), str(head.hash), int(count), at)

    def append(self, event: AuditEvent) -> AuditRecord:
        with self._engine.begin() as connection:
            return append(connection, event)

    def verify(self, expected_head: str | None = None, checkpoint: Checkpoint | None = None) -> VerifyReport:
        """Recompute the chain in one snapshot (REPEATABLE READ; SQLite: one transaction), so records
        appended meanwhile are neither seen half nor taken for tampering."""
        with self._engine.connect() as plain:
            connection = (
                plain
                if self._engine.dialect.name == "sqlite"
                else plain.execution_options(isolation_level="REPEATABLE READ")
            )
            with connection.begin():
                head = connection.execute(select(chain_head.c.seq, chain_head.c.hash)).first()
                rows = connection.execute(select(audit_records).order_by(audit_records.c.seq))
                stored = None if head is None else (int(head.seq), str(head.hash))
                return verify_chain((_record(row) for row in rows), stored, expected_head, checkpoint)

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
        """Records matching every filter given; `since` inclusive, `until` exclusive; with `limit`, the
        newest page below `before_seq`, newest first."""
        if limit is None:
            statement = select(audit_records).order_by(audit_records.c.seq)
        else:
            statement = select(audit_records).order_by(audit_records.c.seq.desc()).limit(limit)
            if before_seq is not None:
                statement = statement.where(audit_records.c.seq < before_seq)
        if person is not None:
            statement = statement.where(audit_records.c.person == person)
        if account_id is not None:
            statement = statement.where(audit_records.c.account_id == account_id)
        if permission_set is not None:
            statement = statement.where(audit_records.c.permission_set == permission_set)
        if action is not None:
            statement = statement.where(audit_records.c.action.like(action.replace("*", "%")))
        if since is not None:
            statement = statement.where(audit_records.c.at >= since.astimezone(UTC))
        if until is not None:
            statement = statement.where(audit_records.c.at < until.astimezone(UTC))
        with self._engine.connect() as connection:
            return [_record(row) for row in connection.execute(statement)]

    def count(self) -> int:
        with self._engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(audit_records)).scalar_one())

    def export_jsonl(self, write: Callable[[str], None], *, since: datetime | None = None) -> int:
        records = self.query(since=since)
        for record in records:
            write(siem_line(record))
        return len(records)
