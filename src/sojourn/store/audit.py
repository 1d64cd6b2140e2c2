"""The hash-chained audit log: append in the caller's transaction, verify, query, export."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from sojourn.store.tables import audit_records, chain_head

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEvent:
    at: datetime
    actor: str
    action: str
    reason: str
    target: str
    person: str | None = None
    account_id: str | None = None
    permission_set: str | None = None
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    run_id: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    seq: int
    event: AuditEvent
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    ok: bool
    checked: int
    head_hash: str
    problems: tuple[str, ...]


def canonical_time(at: datetime) -> str:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def record_hash(seq: int, prev_hash: str, event: AuditEvent) -> str:
    body = asdict(event) | {"at": canonical_time(event.at), "seq": seq, "prev_hash": prev_hash}
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()


def append(connection: Connection, event: AuditEvent) -> AuditRecord:
    """Append inside the caller's transaction, holding the chain head so concurrent writers serialise."""
    head = connection.execute(
        select(chain_head.c.seq, chain_head.c.hash).where(chain_head.c.id == 1).with_for_update()
    ).first()
    if head is None:
        raise RuntimeError("the audit chain head row is missing; the database was not migrated by Sojourn")
    seq, prev_hash = int(head.seq) + 1, str(head.hash)
    digest = record_hash(seq, prev_hash, event)
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
            prev_hash=prev_hash,
            hash=digest,
        )
    )
    connection.execute(update(chain_head).where(chain_head.c.id == 1).values(seq=seq, hash=digest))
    return AuditRecord(seq, event, prev_hash, digest)


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
        self.engine = engine

    def append(self, event: AuditEvent) -> AuditRecord:
        with self.engine.begin() as connection:
            return append(connection, event)

    def verify(self, expected_head: str | None = None) -> VerifyReport:
        """Recompute the chain: a changed field, a removed, inserted or reordered record all break it."""
        problems: list[str] = []
        previous_hash, expected_seq, checked = GENESIS, 1, 0
        with self.engine.connect() as connection:
            head = connection.execute(select(chain_head.c.seq, chain_head.c.hash)).first()
            for row in connection.execute(select(audit_records).order_by(audit_records.c.seq)):
                record = _record(row)
                checked += 1
                if record.seq != expected_seq:
                    problems.append(f"record {expected_seq} is missing (next is {record.seq})")
                if record.prev_hash != previous_hash:
                    problems.append(
                        f"record {record.seq} does not follow the record before it "
                        "(removed or reordered records)"
                    )
                if record_hash(record.seq, record.prev_hash, record.event) != record.hash:
                    problems.append(f"record {record.seq} was changed after it was written")
                previous_hash, expected_seq = record.hash, record.seq + 1
        head_hash = previous_hash
        if head is not None and (int(head.seq) != expected_seq - 1 or head.hash != previous_hash):
            problems.append(
                f"the chain head says record {head.seq} ends the log but the log ends at "
                f"{expected_seq - 1} (records removed from the end)"
            )
        if expected_head is not None and expected_head not in (previous_hash,):
            problems.append("the log does not end with the head hash you kept (records removed or added)")
        return VerifyReport(not problems, checked, head_hash, tuple(problems))

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
        """Records matching every filter given; `since` inclusive, `until` exclusive."""
        statement = select(audit_records).order_by(audit_records.c.seq)
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
        with self.engine.connect() as connection:
            return [_record(row) for row in connection.execute(statement)]

    def count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(audit_records)).scalar_one())

    def export_jsonl(self, write: Callable[[str], None], *, since: datetime | None = None) -> int:
        records = self.query(since=since)
        for record in records:
            write(json.dumps(siem_document(record), sort_keys=True) + "\n")
        return len(records)


SIEM_SCHEMA_VERSION = "sojourn.audit/1"


def siem_document(record: AuditRecord) -> dict[str, Any]:
    """One audit record in the documented SIEM shape (docs/audit.md), ECS-style field names."""
    event = record.event
    return {
        "@timestamp": canonical_time(event.at),
        "schema": SIEM_SCHEMA_VERSION,
        "event": {"action": event.action, "sequence": record.seq, "reason": event.reason, "id": record.hash},
        "user": {"name": event.actor},
        "sojourn": {
            "person": event.person,
            "permission_set": event.permission_set,
            "target": event.target,
            "run_id": event.run_id,
            "before": event.before,
            "after": event.after,
            "details": dict(event.details),
            "prev_hash": record.prev_hash,
        },
        "cloud": {"provider": "aws", "account": {"id": event.account_id}},
    }
