"""The audit chain and apply runs on SQLite and PostgreSQL: tamper, query, export, concurrency."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from sojourn.store import Store, open_store
from sojourn.store.audit import SIEM_SCHEMA_VERSION, AuditEvent

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(database_url: str) -> Store:
    opened = open_store(database_url)
    yield opened
    opened.close()


def event(
    minute: int,
    person: str = "alice",
    account: str = "111111111111",
    action: str = "assignment.create",
    **extra: object,
) -> AuditEvent:
    return AuditEvent(
        at=T0 + timedelta(minutes=minute),
        actor="admin",
        action=action,
        reason="INC-1",
        target=f"t{minute}",
        person=person,
        account_id=account,
        permission_set="prod-admin",
        after={"minute": minute},
        **extra,
    )  # type: ignore[arg-type]


def fill(store: Store, count: int = 5) -> None:
    for minute in range(count):
        store.audit.append(event(minute, person="alice" if minute % 2 == 0 else "bob"))


def test_migrations_are_idempotent_and_chain_verifies(store: Store, database_url: str) -> None:
    fill(store)
    again = open_store(database_url)
    report = again.audit.verify()
    again.close()
    assert report.ok and report.checked == 5 and report.problems == ()


def test_changed_field_is_detected(store: Store) -> None:
    fill(store)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE audit_records SET reason = 'nothing to see' WHERE seq = 3"))
    report = store.audit.verify()
    assert not report.ok
    assert report.problems == ("record 3 was changed after it was written",)


def test_removed_record_is_detected(store: Store) -> None:
    fill(store)
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_records WHERE seq = 2"))
    problems = store.audit.verify().problems
    assert "record 2 is missing (next is 3)" in problems
    assert "record 3 does not follow the record before it (removed or reordered records)" in problems


def test_reordered_records_are_detected(store: Store) -> None:
    fill(store)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE audit_records SET seq = 100 WHERE seq = 2"))
        connection.execute(text("UPDATE audit_records SET seq = 2 WHERE seq = 4"))
        connection.execute(text("UPDATE audit_records SET seq = 4 WHERE seq = 100"))
    report = store.audit.verify()
    assert not report.ok
    assert any("was changed" in p for p in report.problems)
    assert any("does not follow" in p for p in report.problems)


def test_truncated_tail_is_detected_by_head_row_and_by_a_kept_anchor(store: Store) -> None:
    fill(store)
    kept = store.audit.verify().head_hash
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_records WHERE seq = 5"))
    assert any("removed from the end" in p for p in store.audit.verify().problems)
    with store.engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_chain_head SET seq = 4, hash = (SELECT hash FROM audit_records WHERE seq = 4)")
        )
    assert store.audit.verify().ok  # a thorough attacker fixed the head row ...
    assert not store.audit.verify(expected_head=kept).ok  # ... but not the anchor kept elsewhere


def test_query_filters_by_person_account_and_half_open_window(store: Store) -> None:
    fill(store)
    store.audit.append(event(10, account="222222222222", action="assignment.delete"))
    assert [r.event.target for r in store.audit.query(person="alice")] == ["t0", "t2", "t4", "t10"]
    assert [r.event.target for r in store.audit.query(account_id="222222222222")] == ["t10"]
    window = store.audit.query(since=T0 + timedelta(minutes=1), until=T0 + timedelta(minutes=3))
    assert [r.event.target for r in window] == ["t1", "t2"]
    assert [r.event.target for r in store.audit.query(action="assignment.d*")] == ["t10"]
    assert store.audit.query(person="alice")[0].event.at == T0


def test_siem_export_is_json_lines_in_the_documented_shape(store: Store) -> None:
    fill(store, 2)
    lines: list[str] = []
    assert store.audit.export_jsonl(lines.append) == 2
    first = json.loads(lines[0])
    assert first["@timestamp"] == "2026-11-24T09:00:00.000000+00:00"
    assert first["schema"] == SIEM_SCHEMA_VERSION
    assert first["event"] == {
        "action": "assignment.create",
        "sequence": 1,
        "reason": "INC-1",
        "id": store.audit.query()[0].hash,
    }
    assert first["user"] == {"name": "admin"}
    assert first["cloud"]["account"]["id"] == "111111111111"
    assert first["sojourn"]["after"] == {"minute": 0}


def test_two_writers_at_once_keep_one_unbroken_chain(store: Store, database_url: str) -> None:
    second = open_store(database_url)
    errors: list[BaseException] = []

    def write(target: Store, person: str) -> None:
        try:
            for minute in range(25):
                target.audit.append(event(minute, person=person))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(s, p)) for s, p in ((store, "x"), (second, "y"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    second.close()
    assert errors == []
    report = store.audit.verify()
    assert report.ok and report.checked == 50
    assert [r.seq for r in store.audit.query()] == list(range(1, 51))


def test_change_and_audit_record_are_one_transaction(store: Store) -> None:
    run_id = store.runs.start(
        at=T0,
        actor="a",
        reason="r",
        base_fingerprint="f",
        planned=[("k", "create x")],
        start_event=event(0, action="apply.start"),
    )
    with pytest.raises(AttributeError):
        store.runs.record_change(
            run_id,
            0,
            ok=True,
            detail="d",
            event=AuditEvent(at=None, actor="a", action="x", reason="r", target="t"),
        )  # type: ignore[arg-type]
    run = store.runs.get(run_id)
    assert run is not None and run.changes[0].status == "pending"
    assert store.audit.count() == 1
    store.runs.record_change(run_id, 0, ok=True, detail="d", event=event(1))
    assert store.runs.get(run_id).changes[0].status == "done"  # type: ignore[union-attr]
    assert store.audit.count() == 2
