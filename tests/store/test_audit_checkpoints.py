"""Signed checkpoints outside the database, on the twin, SQLite and PostgreSQL: every kind of tampering
with the log up to the last checkpoint is caught, growth after it verifies, and concurrent appends on
PostgreSQL are never taken for tampering."""

from __future__ import annotations

import json
import stat
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from sojourn.access.audit import AuditEvent, CheckpointInvalid
from sojourn.service.audit import AuditTrail, DatabaseReplaced, ensure_same_log
from sojourn.store.audit_checkpoints import CheckpointDirectory, create_signing_key
from tests.store.conftest import Backend
from tests.store.events import T0, event

EVENTS = [event(minute, person=f"p{minute}") for minute in range(6)]


def trail_of(backend: Backend, tmp_path: Path) -> AuditTrail:
    return AuditTrail(
        backend.store.audit, CheckpointDirectory(tmp_path / "cp", tmp_path / "key.pem"), every=3
    )


def checkpointed(backend: Backend, tmp_path: Path, events: list[AuditEvent] = EVENTS) -> AuditTrail:
    """The six events appended and a checkpoint taken of them."""
    trail = trail_of(backend, tmp_path)
    for item in events:
        backend.store.audit.append(item)
    kept = trail.checkpoint(T0)
    assert kept is not None and (kept.seq, kept.count) == (6, 6)
    assert trail.verify().ok
    return trail


def rewrite(backend: Backend, events: list[AuditEvent]) -> None:
    """What an attacker with database access and Sojourn's code does: a new chain, hashed correctly."""
    backend.tamper.wipe()
    for item in events:
        backend.store.audit.append(item)


def problems(trail: AuditTrail) -> str:
    report = trail.verify()
    assert not report.ok
    return "\n".join(report.problems)


def test_growth_after_a_checkpoint_verifies(backend: Backend, tmp_path: Path) -> None:
    trail = checkpointed(backend, tmp_path)
    for minute in range(6, 10):
        backend.store.audit.append(event(minute))
    report = trail.verify()
    assert report.ok and report.checked == 10


def test_a_changed_record_is_detected(backend: Backend, tmp_path: Path) -> None:
    trail = checkpointed(backend, tmp_path)
    backend.tamper.set_reason(3, "nothing to see")
    assert "record 3 was changed" in problems(trail)


def test_a_deleted_record_is_detected(backend: Backend, tmp_path: Path) -> None:
    trail = checkpointed(backend, tmp_path)
    backend.tamper.delete(2)
    found = problems(trail)
    assert "record 2 is missing" in found and "records were removed" in found


def test_reordered_records_are_detected(backend: Backend, tmp_path: Path) -> None:
    trail = checkpointed(backend, tmp_path)
    backend.tamper.swap(2, 4)
    assert "does not follow" in problems(trail)


def test_an_inserted_record_is_detected_even_when_the_chain_is_rehashed(
    backend: Backend, tmp_path: Path
) -> None:
    trail = checkpointed(backend, tmp_path)
    forged = event(2, person="mallory", action="assignment.delete")
    rewrite(backend, [*EVENTS[:3], forged, *EVENTS[3:]])
    assert backend.store.audit.verify().ok  # consistent in itself ...
    assert "record 6 does not have the hash the checkpoint" in problems(trail)  # ... not with the checkpoint


def test_a_rehash_after_an_edit_is_detected(backend: Backend, tmp_path: Path) -> None:
    trail = checkpointed(backend, tmp_path)
    edited = [replace(e, reason="approved by nobody") if i == 1 else e for i, e in enumerate(EVENTS)]
    rewrite(backend, edited)
    assert backend.store.audit.verify().ok
    assert "records up to it were changed and the chain recomputed" in problems(trail)


def test_truncation_with_the_head_row_is_detected(backend: Backend, tmp_path: Path) -> None:
    trail = checkpointed(backend, tmp_path)
    backend.tamper.delete(6)
    backend.tamper.delete(5)
    backend.tamper.point_head_at(4)
    assert backend.store.audit.verify().ok  # the head row agrees ...
    assert "covers 6 records up to record 6 but the log holds 4" in problems(trail)  # ... the checkpoint not


def test_truncation_without_the_head_row_is_detected(backend: Backend, tmp_path: Path) -> None:
    trail = checkpointed(backend, tmp_path)
    backend.tamper.delete(6)
    found = problems(trail)
    assert "records removed from the end" in found and "the log holds 5" in found


def test_a_wiped_log_is_detected_and_refused(backend: Backend, tmp_path: Path) -> None:
    trail = checkpointed(backend, tmp_path)
    backend.tamper.wipe()
    assert "the log is empty but the checkpoint" in problems(trail)
    with pytest.raises(DatabaseReplaced, match="holds no audit records"):
        ensure_same_log(backend.store.audit, CheckpointDirectory(tmp_path / "cp", tmp_path / "key.pem"), T0)


def test_another_log_is_refused(backend: Backend, tmp_path: Path) -> None:
    checkpointed(backend, tmp_path)
    rewrite(backend, [event(30 + minute) for minute in range(8)])
    kept = CheckpointDirectory(tmp_path / "cp", tmp_path / "key.pem")
    with pytest.raises(DatabaseReplaced, match="record 1 differs"):
        ensure_same_log(backend.store.audit, kept, T0)
    assert "this is another log" in problems(trail_of(backend, tmp_path))


def test_a_forged_or_edited_checkpoint_is_refused(backend: Backend, tmp_path: Path) -> None:
    trail = checkpointed(backend, tmp_path)
    backend.tamper.delete(6)
    backend.tamper.point_head_at(5)
    (written,) = (tmp_path / "cp").glob("checkpoint-*.json")
    document = json.loads(written.read_text())
    written.write_text(json.dumps(document | {"seq": 5, "count": 5}))
    with pytest.raises(CheckpointInvalid, match="not signed by the key"):
        trail.verify()


def test_the_key_is_private_and_never_overwritten(tmp_path: Path) -> None:
    key = tmp_path / "keys" / "audit.pem"
    create_signing_key(key)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    with pytest.raises(CheckpointInvalid, match="exists already"):
        create_signing_key(key)


def test_a_checkpoint_is_written_every_n_records(backend: Backend, tmp_path: Path) -> None:
    trail = trail_of(backend, tmp_path)
    written = []
    for minute in range(7):
        backend.store.audit.append(event(minute))
        kept = trail.checkpoint_if_due(T0 + timedelta(minutes=minute))
        if kept is not None:
            written.append(kept.seq)
    assert written == [1, 4, 7]


@pytest.mark.postgres
def test_concurrent_appends_on_postgresql_are_never_taken_for_tampering(tmp_path: Path) -> None:
    from sojourn.store import open_store
    from tests.databases import fresh_database

    with fresh_database("postgresql", tmp_path) as url:
        verifier, writers = open_store(url), [open_store(url) for _ in range(3)]
        trail = AuditTrail(
            verifier.audit, CheckpointDirectory(tmp_path / "cp", tmp_path / "key.pem"), every=5
        )
        stop, errors = threading.Event(), []

        def append(store_index: int) -> None:
            minute = 0
            try:
                while not stop.is_set():
                    writers[store_index].audit.append(event(minute, person=f"w{store_index}"))
                    minute += 1
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=append, args=(i,)) for i in range(3)]
        for thread in threads:
            thread.start()
        try:
            reports = []
            for round_ in range(50):
                reports.append(trail.verify())
                trail.checkpoint_if_due(T0 + timedelta(seconds=round_))
        finally:
            stop.set()
            for thread in threads:
                thread.join()
            for store in (verifier, *writers):
                store.close()
        assert not errors
        bad = [r.problems for r in reports if not r.ok]
        assert bad == []
        assert reports[-1].checked > reports[0].checked  # the log grew while it was verified
