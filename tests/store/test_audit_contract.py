"""The audit log contract, on the twin, SQLite and PostgreSQL: the chain catches tampering, queries
filter exactly, the export has the documented shape, concurrent writers keep one chain."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

from sojourn.access.audit import SIEM_SCHEMA_VERSION
from sojourn.service.held import held_between
from sojourn.service.ports.audit import AuditEvent, AuditRepository
from tests.store.conftest import Backend
from tests.store.events import T0, event


def fill(audit: AuditRepository, count: int = 5) -> None:
    for minute in range(count):
        audit.append(event(minute, person="alice" if minute % 2 == 0 else "bob"))


def test_an_untouched_chain_verifies(backend: Backend) -> None:
    fill(backend.store.audit)
    report = backend.store.audit.verify()
    assert report.ok and report.checked == 5 and report.problems == ()
    assert report.head_hash == backend.store.audit.query()[-1].hash
    assert backend.store.audit.verify(expected_head=report.head_hash).ok


def test_an_empty_log_verifies(backend: Backend) -> None:
    report = backend.store.audit.verify()
    assert report.ok and report.checked == 0


def test_changed_field_is_detected(backend: Backend) -> None:
    fill(backend.store.audit)
    backend.tamper.set_reason(3, "nothing to see")
    report = backend.store.audit.verify()
    assert not report.ok
    assert report.problems == ("record 3 was changed after it was written",)


def test_removed_record_is_detected(backend: Backend) -> None:
    fill(backend.store.audit)
    backend.tamper.delete(2)
    problems = backend.store.audit.verify().problems
    assert "record 2 is missing (next is 3)" in problems
    assert "record 3 does not follow the record before it (removed or reordered records)" in problems


def test_reordered_records_are_detected(backend: Backend) -> None:
    fill(backend.store.audit)
    backend.tamper.swap(2, 4)
    report = backend.store.audit.verify()
    assert not report.ok
    assert any("was changed" in p for p in report.problems)
    assert any("does not follow" in p for p in report.problems)


def test_truncated_tail_is_detected_by_head_row_and_by_a_kept_anchor(backend: Backend) -> None:
    audit = backend.store.audit
    fill(audit)
    kept = audit.verify().head_hash
    backend.tamper.delete(5)
    assert any("removed from the end" in p for p in audit.verify().problems)
    backend.tamper.point_head_at(4)
    assert audit.verify().ok  # a thorough attacker fixed the head row ...
    assert not audit.verify(expected_head=kept).ok  # ... but not the anchor kept elsewhere


def test_append_returns_the_record_as_chained(backend: Backend) -> None:
    audit = backend.store.audit
    first = audit.append(event(0))
    second = audit.append(event(1))
    assert (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.hash != second.hash
    assert [r.hash for r in audit.query()] == [first.hash, second.hash]
    assert audit.count() == 2


def test_query_filters_by_person_account_and_half_open_window(backend: Backend) -> None:
    audit = backend.store.audit
    fill(audit)
    audit.append(event(10, account="222222222222", action="assignment.delete"))
    assert [r.event.target for r in audit.query(person="alice")] == ["t0", "t2", "t4", "t10"]
    assert [r.event.target for r in audit.query(account_id="222222222222")] == ["t10"]
    window = audit.query(since=T0 + timedelta(minutes=1), until=T0 + timedelta(minutes=3))
    assert [r.event.target for r in window] == ["t1", "t2"]
    assert [r.event.target for r in audit.query(action="assignment.d*")] == ["t10"]
    assert [r.event.target for r in audit.query(action="*.delete")] == ["t10"]
    assert len(audit.query(action="assignment.create")) == 5
    assert audit.query(person="alice")[0].event.at == T0


def test_records_read_back_as_written_in_utc(backend: Backend) -> None:
    audit = backend.store.audit
    east = datetime(2026, 11, 24, 11, 0, tzinfo=UTC).astimezone()  # any offset; the log keeps UTC
    written = AuditEvent(
        at=east,
        actor="admin",
        action="x",
        reason="r",
        target="t",
        before={"a": [1, 2]},
        details={"when": "then", "n": 3},
    )
    audit.append(written)
    (record,) = audit.query()
    assert record.event.at == east and record.event.at.utcoffset() == timedelta(0)
    assert record.event.before == {"a": [1, 2]} and record.event.after is None
    assert record.event.details == {"when": "then", "n": 3}
    assert audit.verify().ok


def test_siem_export_is_json_lines_in_the_documented_shape(backend: Backend) -> None:
    audit = backend.store.audit
    fill(audit, 2)
    lines: list[str] = []
    assert audit.export_jsonl(lines.append) == 2
    first = json.loads(lines[0])
    assert first["@timestamp"] == "2026-11-24T09:00:00.000000+00:00"
    assert first["schema"] == SIEM_SCHEMA_VERSION
    assert first["event"] == {
        "action": "assignment.create",
        "sequence": 1,
        "reason": "INC-1",
        "id": audit.query()[0].hash,
    }
    assert first["user"] == {"name": "admin"}
    assert first["cloud"]["account"]["id"] == "111111111111"
    assert first["sojourn"]["after"] == {"minute": 0}
    later: list[str] = []
    assert audit.export_jsonl(later.append, since=T0 + timedelta(minutes=1)) == 1


def test_two_writers_at_once_keep_one_unbroken_chain(backend: Backend) -> None:
    second = backend.reopen()
    errors: list[BaseException] = []

    def write(target: AuditRepository, person: str) -> None:
        try:
            for minute in range(25):
                target.append(event(minute, person=person))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    pairs = ((backend.store.audit, "x"), (second.audit, "y"))
    threads = [threading.Thread(target=write, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if second is not backend.store:
        second.close()
    assert errors == []
    report = backend.store.audit.verify()
    assert report.ok and report.checked == 50
    assert [r.seq for r in backend.store.audit.query()] == list(range(1, 51))


def test_who_held_access_when_is_read_from_the_log(backend: Backend) -> None:
    audit = backend.store.audit

    def jit(minute: int, action: str, request: str, person: str) -> None:
        details = {"request": request, "approved_by": ["bob"], "source": "request"}
        audit.append(event(minute, person=person, action=action, details=details))

    jit(0, "jit.grant", "r1", "alice")
    jit(30, "jit.expire", "r1", "alice")
    jit(40, "jit.grant", "r2", "carol")
    held = held_between(
        audit, "prod-admin", "111111111111", T0 + timedelta(minutes=20), T0 + timedelta(hours=1)
    )
    assert [(h.person, h.request, h.end) for h in held] == [
        ("alice", "r1", T0 + timedelta(minutes=30)),
        ("carol", "r2", None),
    ]
    assert held[0].approved_by == ("bob",)
    assert (
        held_between(
            audit, "prod-admin", "111111111111", T0 + timedelta(minutes=31), T0 + timedelta(minutes=35)
        )
        == []
    )


def test_a_page_is_the_newest_matching_records_below_a_sequence_number(backend: Backend) -> None:
    audit = backend.store.audit
    fill(audit, 7)  # t0..t6: alice on even minutes
    newest = audit.query(limit=2)
    assert [r.event.target for r in newest] == ["t6", "t5"]
    older = audit.query(limit=2, before_seq=newest[-1].seq)
    assert [r.event.target for r in older] == ["t4", "t3"]
    alice = audit.query(person="alice", limit=3, before_seq=older[0].seq)
    assert [r.event.target for r in alice] == ["t2", "t0"]
    assert audit.query(person="alice", limit=10, since=T0 + timedelta(minutes=3)) == list(
        reversed(audit.query(person="alice", since=T0 + timedelta(minutes=3)))
    )
