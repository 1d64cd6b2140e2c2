"""The apply-run contract, on the twin, SQLite and PostgreSQL: a partial apply says what it did and what it
left; a change and its audit record are written together or not at all; the last good state is kept."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import timedelta

import pytest

from sojourn.access.apply_run import DONE, FAILED, INTERRUPTED, PENDING, STARTED
from sojourn.service.ports.audit import AuditEvent
from sojourn.service.ports.runs import RunRepository
from tests.store.conftest import Backend
from tests.store.events import T0, event

PLANNED = [("k0", "create a", "{}"), ("k1", "create b", "{}"), ("k2", "delete c", "{}")]


def start(runs: RunRepository, minute: int = 0) -> str:
    return runs.start(
        at=T0 + timedelta(minutes=minute),
        actor="admin",
        reason="CHG-1",
        base_fingerprint="f",
        planned=PLANNED,
        start_event=event(minute, action="apply.start"),
    )


def test_a_started_run_has_every_change_pending_and_its_opening_record(backend: Backend) -> None:
    run_id = start(backend.store.runs)
    run = backend.store.runs.get(run_id)
    assert run is not None
    assert (run.actor, run.reason, run.status, run.started_at, run.finished_at) == (
        "admin",
        "CHG-1",
        "running",
        T0,
        None,
    )
    assert [(c.position, c.description, c.status) for c in run.changes] == [
        (0, "create a", PENDING),
        (1, "create b", PENDING),
        (2, "delete c", PENDING),
    ]
    (opening,) = backend.store.audit.query()
    assert opening.event.action == "apply.start" and opening.event.run_id == run_id


def test_a_partial_apply_records_what_was_done_what_failed_and_what_was_not_tried(backend: Backend) -> None:
    runs = backend.store.runs
    run_id = start(runs)
    done = runs.record_change(run_id, 0, ok=True, detail="", event=event(1))
    runs.record_change(run_id, 1, ok=False, detail="AccessDenied " + "x" * 3000, event=event(2))
    runs.finish(run_id, at=T0 + timedelta(minutes=3), status="partial", event=event(3, action="apply.finish"))
    run = runs.get(run_id)
    assert run is not None and run.status == "partial" and run.finished_at == T0 + timedelta(minutes=3)
    assert [c.status for c in run.changes] == [DONE, FAILED, PENDING]
    assert [c.description for c in run.not_done] == ["create b", "delete c"]
    assert run.changes[1].detail.startswith("AccessDenied") and len(run.changes[1].detail) == 2000
    assert done is not None and done.event.run_id == run_id
    assert {r.event.run_id for r in backend.store.audit.query()} == {run_id}
    assert backend.store.audit.count() == 4 and backend.store.audit.verify().ok
    assert runs.applied_state("prod") is None  # a partial apply leaves no state to plan from


def test_a_change_and_its_audit_record_are_one_transaction(backend: Backend) -> None:
    runs = backend.store.runs
    run_id = start(runs)
    broken = AuditEvent(at=None, actor="a", action="x", reason="r", target="t")  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        runs.record_change(run_id, 0, ok=True, detail="d", event=broken)
    run = runs.get(run_id)
    assert run is not None and run.changes[0].status == PENDING
    assert backend.store.audit.count() == 1
    assert runs.record_change(run_id, 0, ok=True, detail="d", event=None) is None
    assert runs.get(run_id).changes[0].status == DONE  # type: ignore[union-attr]
    assert backend.store.audit.count() == 1


def test_a_finish_that_cannot_be_audited_changes_nothing(backend: Backend) -> None:
    runs = backend.store.runs
    run_id = start(runs)
    broken = AuditEvent(at=None, actor="a", action="x", reason="r", target="t")  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        runs.finish(run_id, at=T0, status="succeeded", event=broken, applied_state=("prod", "{}"))
    run = runs.get(run_id)
    assert run is not None and run.status == "running" and run.finished_at is None
    assert runs.applied_state("prod") is None


def test_the_last_successful_run_keeps_the_state_per_instance(backend: Backend) -> None:
    runs = backend.store.runs
    first, second = start(runs, 0), start(runs, 10)
    runs.finish(first, at=T0, status="succeeded", event=event(1), applied_state=("prod", '{"v": 1}'))
    runs.finish(second, at=T0, status="succeeded", event=event(11), applied_state=("prod", '{"v": 2}'))
    assert runs.applied_state("prod") == '{"v": 2}'
    assert runs.applied_state("staging") is None
    assert [r.id for r in runs.latest()] == [second, first]
    assert [r.id for r in runs.latest(limit=1)] == [second]
    assert runs.get("no-such-run") is None


def test_intents_mark_changes_started_with_their_records_before_any_outcome(backend: Backend) -> None:
    runs = backend.store.runs
    run_id = start(runs)
    runs.record_intents(run_id, [(0, event(1, action="x.create.intent")), (2, event(2, action="y.intent"))])
    run = runs.get(run_id)
    assert run is not None
    assert [c.status for c in run.changes] == [STARTED, PENDING, STARTED]
    assert [c.position for c in run.in_flight] == [0, 2]
    assert run.changes[0].document == "{}"
    actions = [r.event.action for r in backend.store.audit.query()]
    assert actions == ["apply.start", "x.create.intent", "y.intent"]
    runs.record_change(run_id, 0, ok=True, detail="", event=event(3))
    assert [c.position for c in runs.get(run_id).in_flight] == [2]  # type: ignore[union-attr]


def test_interrupted_runs_with_changes_in_flight_are_unreconciled_until_closed(backend: Backend) -> None:
    runs = backend.store.runs
    run_id = start(runs)
    assert runs.unreconciled() == []  # running, and this process is alive
    runs.record_intents(run_id, [(1, event(1, action="x.intent"))])
    runs.finish(run_id, at=T0, status=INTERRUPTED, event=event(2, action="apply.interrupted"))
    assert [r.id for r in runs.unreconciled()] == [run_id]
    runs.record_change(run_id, 1, ok=False, detail="reconciled", event=event(3))
    assert runs.unreconciled() == []


def test_a_run_left_running_by_a_dead_process_is_unreconciled(backend: Backend) -> None:
    if backend.url is None:
        pytest.skip("the twin's runs belong to the living process that holds it")
    from sqlalchemy import create_engine, text

    runs = backend.store.runs
    run_id = start(runs)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    owner = f"{socket.gethostname()}:{int(dead.stdout)}"
    engine = create_engine(backend.url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE apply_runs SET owner = :o WHERE id = :i"), {"o": owner, "i": run_id})
    engine.dispose()
    (found,) = runs.unreconciled()
    assert (found.id, found.status, found.owner) == (run_id, "running", owner)
