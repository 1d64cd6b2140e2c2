"""One contract for the key rotation repository: the SQL store (SQLite, PostgreSQL) and its in-memory twin."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sojourn.access.audit import AuditEvent
from sojourn.service.ports.audit import AuditRepository
from sojourn.service.ports.key_rotation import KeyRotationRepository
from sojourn.store import open_store
from sojourn.store.memory_audit import MemoryAuditLog
from sojourn.store.memory_key_rotations import MemoryKeyRotationStore
from sojourn.workflow.key_rotation import KeyRotation, Step
from tests.databases import fresh_database

AT = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def repo(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[KeyRotationRepository, AuditRepository]]:
    if request.param == "memory":
        audit = MemoryAuditLog()
        yield MemoryKeyRotationStore(audit), audit
        return
    with fresh_database(request.param, tmp_path) as url:
        store = open_store(url)
        yield store.key_rotations, store.audit
        store.close()


def event(action: str) -> AuditEvent:
    return AuditEvent(AT, "ops", action, "why", "iam-user:ci", person="ci", run_id="rot-1")


def rotation(**fields: object) -> KeyRotation:
    base = KeyRotation("rot-1", "ci", "app/key", Step.CREATE, AT, AT, "AKIAOLD", timedelta(days=7))
    return replace(base, **fields)  # type: ignore[arg-type]


def test_saved_rotations_read_back_exactly_with_their_audit_records(
    repo: tuple[KeyRotationRepository, AuditRepository],
) -> None:
    rotations, audit = repo
    first = rotation()
    rotations.save(first, event("key.rotation.start"))
    assert rotations.get("rot-1") == first
    moved = replace(
        first,
        step=Step.GRACE,
        new_key_id="AKIANEW",
        version="0f8fad5b-d9cb-469f-a165-70867728950e",
        attempts=2,
        deactivated_at=AT + timedelta(minutes=1),
        updated_at=AT + timedelta(minutes=1),
    )
    rotations.save(moved, event("key.rotation.deactivate.outcome"))
    assert rotations.get("rot-1") == moved
    assert rotations.open_for("ci") == moved and rotations.unfinished() == [moved]
    assert [r.event.action for r in audit.query(action="key.rotation.*")] == [
        "key.rotation.start",
        "key.rotation.deactivate.outcome",
    ]
    assert audit.verify().ok
    assert rotations.get("rot-missing") is None


def test_finished_rotations_are_not_open_and_their_old_keys_are_retired(
    repo: tuple[KeyRotationRepository, AuditRepository],
) -> None:
    rotations, _ = repo
    done = rotation(step=Step.DONE, deactivated_at=AT, finished_at=AT + timedelta(days=7))
    failed = rotation(
        id="rot-2", step=Step.FAILED, old_key_id="AKIAKEPT", error="did not work", finished_at=AT
    )
    other = rotation(id="rot-3", user="web", started_at=AT + timedelta(hours=1))
    for each in (done, failed, other):
        rotations.save(each, event("key.rotation.x"))
    assert rotations.open_for("ci") is None
    assert rotations.open_for("web") == other
    assert rotations.unfinished() == [other]
    assert rotations.retired_keys("ci") == frozenset({"AKIAOLD"})
    assert rotations.retired_keys("web") == frozenset()
    assert [r.id for r in rotations.recent(2)] == ["rot-3", "rot-1"]
    assert rotations.get("rot-2") == failed
