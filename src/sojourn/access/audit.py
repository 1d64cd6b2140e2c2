"""The audit log's values and its hash chain: each record's hash covers the record and the hash before it.

Pure: the store and its in-memory twin both chain and verify through these functions, so a changed,
removed, inserted or reordered record is reported in the same words whichever backend holds the log.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
"""The hash the first record follows."""

SIEM_SCHEMA_VERSION = "sojourn.audit/1"


class DatabaseReplaced(Exception):
    """The database is not the one the log was written to: deleted, replaced or wiped while in use."""


class CheckpointInvalid(Exception):
    """The signing key or a checkpoint cannot be read, or a checkpoint's signature does not hold."""


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One change to access (or to a request for it): who, what, why, on whom and where."""

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
    """An event as written: its place in the log and the hashes that chain it to the record before."""

    seq: int
    event: AuditEvent
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """The outcome of recomputing the chain; `head_hash` is worth keeping elsewhere as an anchor."""

    ok: bool
    checked: int
    head_hash: str
    problems: tuple[str, ...]


def canonical_time(at: datetime) -> str:
    """The instant as hashed and exported: UTC, microseconds (a naive time is taken as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def record_hash(seq: int, prev_hash: str, event: AuditEvent) -> str:
    """The SHA-256 of the record's canonical JSON, its sequence number and the hash it follows."""
    body = asdict(event) | {"at": canonical_time(event.at), "seq": seq, "prev_hash": prev_hash}
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()


def chain_next(seq: int, prev_hash: str, event: AuditEvent) -> AuditRecord:
    """The record that follows a log ending at (`seq` - 1, `prev_hash`)."""
    return AuditRecord(seq, event, prev_hash, record_hash(seq, prev_hash, event))


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """What the log held at one moment, kept (signed) outside the database: CloudTrail's digest file.

    `log_id` is the hash of record 1: it names the log, so a replaced database is told from a grown one.
    """

    log_id: str
    seq: int
    hash: str
    count: int
    at: datetime

    def payload(self) -> bytes:
        """The bytes that are signed: canonical JSON of every field."""
        body = {
            "log_id": self.log_id,
            "seq": self.seq,
            "hash": self.hash,
            "count": self.count,
            "at": canonical_time(self.at),
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def verify_chain(
    records: Iterable[AuditRecord],
    head: tuple[int, str] | None,
    expected_head: str | None = None,
    checkpoint: Checkpoint | None = None,
) -> VerifyReport:
    """Recompute the chain in sequence order against the stored head, a kept anchor and a checkpoint.

    Records after the checkpoint are growth and verify; the checkpoint's record must still hold its hash.
    """
    problems: list[str] = []
    previous_hash, expected_seq, checked = GENESIS, 1, 0
    first_hash: str | None = None
    at_checkpoint: str | None = None
    for record in records:
        checked += 1
        if record.seq != expected_seq:
            problems.append(f"record {expected_seq} is missing (next is {record.seq})")
        if record.prev_hash != previous_hash:
            problems.append(
                f"record {record.seq} does not follow the record before it (removed or reordered records)"
            )
        if record_hash(record.seq, record.prev_hash, record.event) != record.hash:
            problems.append(f"record {record.seq} was changed after it was written")
        if record.seq == 1:
            first_hash = record.hash
        if checkpoint is not None and record.seq == checkpoint.seq:
            at_checkpoint = record.hash
        previous_hash, expected_seq = record.hash, record.seq + 1
    if head is not None and (head[0] != expected_seq - 1 or head[1] != previous_hash):
        problems.append(
            f"the chain head says record {head[0]} ends the log but the log ends at "
            f"{expected_seq - 1} (records removed from the end)"
        )
    if expected_head is not None and expected_head != previous_hash:
        problems.append("the log does not end with the head hash you kept (records removed or added)")
    if checkpoint is not None:
        problems.extend(checkpoint_problems(checkpoint, checked, first_hash, at_checkpoint))
    return VerifyReport(not problems, checked, previous_hash, tuple(problems))


def records(count: int) -> str:
    """ "1 record", "2 records"."""
    return f"{count} record" if count == 1 else f"{count} records"


def checkpoint_problems(
    checkpoint: Checkpoint, checked: int, first_hash: str | None, at_checkpoint: str | None
) -> list[str]:
    """How the log read disagrees with the checkpoint: another database, wiped, truncated or rewritten."""
    when = canonical_time(checkpoint.at)
    if checked == 0:
        return [
            f"the log is empty but the checkpoint of {when} covers {records(checkpoint.count)}: the "
            "database was wiped or is not the one the log was started on"
        ]
    if first_hash != checkpoint.log_id:
        return [
            f"record 1 is not the record the checkpoint of {when} names: this is another log, or the "
            "log was rewritten from its start"
        ]
    if at_checkpoint is None or checked < checkpoint.count:
        return [
            f"the checkpoint of {when} covers {records(checkpoint.count)} up to record {checkpoint.seq} "
            f"but the log holds {checked}: records were removed"
        ]
    if at_checkpoint != checkpoint.hash:
        return [
            f"record {checkpoint.seq} does not have the hash the checkpoint of {when} signed: records up "
            "to it were changed and the chain recomputed"
        ]
    return []


def matches(
    record: AuditRecord,
    *,
    person: str | None = None,
    account_id: str | None = None,
    permission_set: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> bool:
    """Whether a record passes every filter given: `action` may end in *, `since` inclusive, `until` not."""
    event = record.event
    return (
        (person is None or event.person == person)
        and (account_id is None or event.account_id == account_id)
        and (permission_set is None or event.permission_set == permission_set)
        and (action is None or action_matches(action, event.action))
        and (since is None or event.at >= since)
        and (until is None or event.at < until)
    )


def action_matches(pattern: str, action: str) -> bool:
    """`*` matches any run of characters; segments are found left to right, so no backtracking."""
    if "*" not in pattern:
        return action == pattern
    first, *middle, last = pattern.split("*")
    if not action.startswith(first) or len(action) < len(first) + len(last) or not action.endswith(last):
        return False
    position, end = len(first), len(action) - len(last)
    for segment in middle:
        found = action.find(segment, position, end)
        if found < 0:
            return False
        position = found + len(segment)
    return True


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


def siem_line(record: AuditRecord) -> str:
    """The record as one JSON line for a SIEM export."""
    return json.dumps(siem_document(record), sort_keys=True) + "\n"
