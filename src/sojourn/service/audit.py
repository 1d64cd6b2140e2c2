"""The audit log's use cases: verify the chain, find records, export them, and who held what when."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sojourn.access.audit import records
from sojourn.access.audit_ocsf import ocsf_line
from sojourn.clock import Clock
from sojourn.service.held import Holding, held_between
from sojourn.service.ports.audit import (
    AuditRecord,
    AuditRepository,
    Checkpoint,
    CheckpointInvalid,
    CheckpointStore,
    DatabaseReplaced,
    VerifyReport,
)

__all__ = [
    "AuditFilter",
    "AuditRecord",
    "AuditTrail",
    "DatabaseReplaced",
    "VerifyReport",
    "as_utc",
    "checkpointing_steps",
    "ensure_same_log",
]

log = logging.getLogger("sojourn.audit")

DEFAULT_CHECKPOINT_EVERY = 100


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


def ensure_same_log(log: AuditRepository, checkpoints: CheckpointStore | None, now: datetime) -> None:
    """Refuse (DatabaseReplaced) a database that is not the one the last checkpoint was taken of.

    A quick look (record 1, the head, the count), not a verification: it stops an apply from writing to
    a wiped, replaced or truncated log; `sojourn audit verify` walks the whole chain.
    """
    log.check_database()
    kept = checkpoints.latest() if checkpoints is not None else None
    if kept is None:
        return
    head = log.checkpoint(now)
    when = kept.at.isoformat(timespec="seconds")
    if head is None:
        raise DatabaseReplaced(
            f"the database holds no audit records but the checkpoint of {when} covers "
            f"{records(kept.count)}: it was wiped, or it is not the database the log was started on"
        )
    if head.log_id != kept.log_id:
        raise DatabaseReplaced(
            f"the database's audit log is not the one the checkpoint of {when} was taken of "
            "(record 1 differs)"
        )
    if head.seq < kept.seq or head.count < kept.count:
        raise DatabaseReplaced(
            f"the database's audit log ends at record {head.seq} ({records(head.count)}) but the "
            f"checkpoint of {when} covers {records(kept.count)} up to record {kept.seq}: records were removed"
        )


class AuditTrail:
    """The audit log as the CLI and the API read it, with its signed checkpoints when it has them."""

    def __init__(
        self,
        log: AuditRepository,
        checkpoints: CheckpointStore | None = None,
        *,
        every: int = DEFAULT_CHECKPOINT_EVERY,
    ) -> None:
        self._log = log
        self._checkpoints = checkpoints
        self._every = max(1, every)

    def last_checkpoint(self) -> Checkpoint | None:
        """The newest signed checkpoint (its signature checked), if checkpoints are kept."""
        return self._checkpoints.latest() if self._checkpoints is not None else None

    def verify(self, expected_head: str | None = None) -> VerifyReport:
        """Every record's hash and link checked in one snapshot, against the newest signed checkpoint
        (growth since is fine) and, if given, a head hash kept elsewhere."""
        checkpoint = self.last_checkpoint()  # read before the snapshot: it never covers more than it sees
        return self._log.verify(expected_head=expected_head, checkpoint=checkpoint)

    def checkpoint(self, now: datetime) -> Checkpoint | None:
        """Sign and keep the log's head now (nothing while the log is empty or checkpoints are off)."""
        if self._checkpoints is None:
            return None
        head = self._log.checkpoint(now)
        if head is not None:
            self._checkpoints.write(head)
        return head

    def checkpoint_if_due(self, now: datetime) -> Checkpoint | None:
        """A checkpoint when `every` records were added since the newest one."""
        if self._checkpoints is None:
            return None
        head = self._log.checkpoint(now)
        kept = self._checkpoints.latest()
        if head is None or (kept is not None and head.seq - kept.seq < self._every):
            return None
        self._checkpoints.write(head)
        return head

    def records(self, wanted: AuditFilter) -> list[AuditRecord]:
        """The records that match every filter given, in sequence order."""
        return self._query(wanted)

    def page(
        self, wanted: AuditFilter, *, before_seq: int | None = None, size: int = 50
    ) -> list[AuditRecord]:
        """The newest `size` matching records below `before_seq`, newest first (the web's audit trail)."""
        return self._query(wanted, before_seq=before_seq, limit=max(1, size))

    def _query(self, wanted: AuditFilter, **paging: int | None) -> list[AuditRecord]:
        return self._log.query(
            person=wanted.person,
            account_id=wanted.account_id,
            permission_set=wanted.permission_set,
            action=wanted.action,
            since=as_utc(wanted.since),
            until=as_utc(wanted.until),
            **paging,
        )

    def export(
        self,
        write: Callable[[str], None],
        since: datetime | None = None,
        *,
        format: str = "jsonl",
        account_names: Mapping[str, str] | None = None,
    ) -> int:
        """Write the records from SINCE as SIEM JSON lines ("jsonl") or OCSF events ("ocsf", one JSON
        line each, accounts named from ACCOUNT_NAMES); how many were written."""
        if format == "jsonl":
            return self._log.export_jsonl(write, since=as_utc(since))
        if format != "ocsf":
            raise ValueError(f"no audit export format {format!r}; use jsonl or ocsf")
        records = self._log.query(since=as_utc(since))
        for record in records:
            write(ocsf_line(record, account_names))
        return len(records)

    def held(self, permission_set: str, account_id: str, since: datetime, until: datetime) -> list[Holding]:
        """Who held PERMISSION_SET on ACCOUNT_ID in [since, until), from when to when, approved by whom."""
        start, end = as_utc(since), as_utc(until)
        assert start is not None and end is not None
        # held_between still names the store's class; the audit port (store-ports) replaces both.
        return held_between(self._log, permission_set, account_id, start, end)


def checkpointing_steps(
    trail: AuditTrail, clock: Clock, inner: Callable[[str], None]
) -> Callable[[str], None]:
    """A worker step hook that also signs a checkpoint once `every` records were committed since the last.

    A checkpoint that cannot be written is logged, never raised: the worker's grants and revocations go on.
    """

    def step(name: str) -> None:
        inner(name)
        if name.endswith(":after-commit"):
            try:
                trail.checkpoint_if_due(clock.now())
            except (CheckpointInvalid, OSError) as error:
                log.warning("no audit checkpoint written: %s", error)

    return step
