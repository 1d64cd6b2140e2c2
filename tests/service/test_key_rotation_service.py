"""The rotation use case over the in-memory vault and store: one run, a crash at every point and the resumed
run, verification failing, the grace period, the schedule, notifications and the audit trail."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from sojourn.access.audit import AuditEvent
from sojourn.access.organization import Organization
from sojourn.aws.memory import InMemoryIdentityCenter
from sojourn.aws.memory_key_vault import MemoryKeyVault
from sojourn.clock import FixedClock
from sojourn.service.key_rotation import KeyRotator, RotationRefused, RotationSchedule, RotationTarget
from sojourn.store.memory import open_memory_store
from sojourn.store.memory_audit import MemoryAuditLog
from sojourn.store.memory_key_rotations import MemoryKeyRotationStore
from sojourn.worker.runner import Worker
from sojourn.workflow.key_rotation import KeyRotation, Step

NOW = datetime(2026, 6, 1, tzinfo=UTC)
STEPS = ("create", "store", "verify", "promote", "deactivate", "delete")
POINTS = [f"key-rotation:{step}:{when}" for step in STEPS for when in ("intent", "called")]


class Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs, no handler sees it."""


def world() -> tuple[MemoryKeyVault, MemoryKeyRotationStore, MemoryAuditLog, str]:
    vault = MemoryKeyVault(now=NOW - timedelta(days=120))
    vault.add_user("ci")
    old_id, old_secret = vault.create_key("ci")
    vault.add_secret("app/key", (old_id, old_secret))
    audit = MemoryAuditLog()
    return vault, MemoryKeyRotationStore(audit), audit, old_id


def rotator(vault: MemoryKeyVault, store: MemoryKeyRotationStore, **kw: object) -> KeyRotator:
    return KeyRotator(vault, store, FixedClock(NOW), "ops", verify_pause=lambda attempt: None, **kw)  # type: ignore[arg-type]


def assert_one_working_key(vault: MemoryKeyVault, old_id: str) -> None:
    keys = vault.keys["ci"]
    assert len(keys) == 1 and keys[0].active and keys[0].key_id != old_id
    assert vault.current("app/key") == (keys[0].key_id, keys[0].secret)
    stages = vault.stages["app/key"]
    assert not any("AWSPENDING" in labels for labels in stages.values())


def test_one_run_rotates_and_audits_each_step() -> None:
    vault, store, audit, old_id = world()
    told: list[tuple[str, str]] = []
    done = rotator(vault, store, notify=lambda event, r: told.append((event, r.step.value))).rotate(
        "ci", "app/key", timedelta(0)
    )
    assert done.step is Step.DONE and done.old_key_id == old_id
    assert_one_working_key(vault, old_id)
    actions = [record.event.action for record in audit.records]
    for step in STEPS:
        assert actions.index(f"key.rotation.{step}.intent") < actions.index(f"key.rotation.{step}.outcome")
    assert all(record.event.run_id == done.id for record in audit.records)
    assert not any("secret-" in str(record.event) for record in audit.records)  # no secret in the log
    assert told == [("rotated", "deactivate"), ("old_key_deleted", "done")]
    assert audit.verify().ok


@pytest.mark.parametrize("point", POINTS)
def test_a_crash_at_any_point_resumes_to_exactly_one_working_key(point: str) -> None:
    vault, store, _, old_id = world()

    def die(at: str) -> None:
        if at == point:
            raise Killed

    with pytest.raises(Killed):
        rotator(vault, store, checkpoint=die).rotate("ci", "app/key", timedelta(0))
    working = [k for k in vault.keys["ci"] if k.active]
    assert working, "never zero working keys"
    current = vault.current("app/key")
    assert current is not None and any(k.key_id == current[0] and k.active for k in vault.keys["ci"])
    resumed = rotator(vault, store).rotate("ci", "app/key", timedelta(0))
    assert resumed.step is Step.DONE
    assert_one_working_key(vault, old_id)


def test_a_key_that_does_not_work_is_rolled_back_and_the_old_one_kept() -> None:
    vault, store, _, old_id = world()
    vault.broken_keys.add("AKIAMEMORY0000000002")
    told: list[str] = []
    failed = rotator(vault, store, notify=lambda event, r: told.append(event)).rotate(
        "ci", "app/key", timedelta(0)
    )
    assert failed.step is Step.FAILED and "InvalidClientTokenId" in (failed.error or "")
    assert [k.key_id for k in vault.keys["ci"]] == [old_id] and vault.keys["ci"][0].active
    assert vault.current("app/key") is not None and vault.current("app/key")[0] == old_id  # type: ignore[index]
    assert told == ["failed"]


def test_grace_period_waits_then_the_next_run_deletes() -> None:
    vault, store, _, old_id = world()
    waiting = rotator(vault, store).rotate("ci", "app/key", timedelta(days=7))
    assert waiting.step is Step.GRACE and waiting.delete_after == NOW + timedelta(days=7)
    assert [(k.key_id == old_id, k.active) for k in vault.keys["ci"]] == [(True, False), (False, True)]
    again = rotator(vault, store).rotate("ci", "app/key", timedelta(days=7))
    assert again.step is Step.GRACE and again.id == waiting.id
    later = KeyRotator(vault, store, FixedClock(NOW + timedelta(days=7)), "ops")
    assert [r.step for r in later.resume_unfinished()] == [Step.DONE]
    assert_one_working_key(vault, old_id)


def test_an_unfinished_rotation_into_another_secret_is_refused() -> None:
    vault, store, _, _ = world()
    first = rotator(vault, store).rotate("ci", "app/key", timedelta(days=7))
    with pytest.raises(RotationRefused, match="unfinished rotation"):
        rotator(vault, store).rotate("ci", "other/secret", timedelta(0))
    assert first.step is Step.GRACE


def test_a_key_an_earlier_rotation_retired_is_deleted_to_free_the_second_slot() -> None:
    vault, store, _, old_id = world()
    retired_id, _ = vault.create_key("ci")
    vault.deactivate("ci", retired_id)
    earlier = KeyRotation("rot-0", "ci", "app/key", Step.DONE, NOW, NOW, retired_id, timedelta(0))
    store.save(replace(earlier, deactivated_at=NOW, finished_at=NOW), AuditEvent(NOW, "ops", "x", "r", "t"))
    done = rotator(vault, store).rotate("ci", "app/key", timedelta(0))
    assert done.step is Step.DONE
    assert_one_working_key(vault, old_id)
    assert retired_id not in {k.key_id for k in vault.keys["ci"]}
    with pytest.raises(RotationRefused, match="IAM's limit"):
        unknown, _ = vault.create_key("ci")
        vault.deactivate("ci", unknown)
        rotator(vault, store).rotate("ci", "app/key", timedelta(0))


def test_refusals_name_the_problem() -> None:
    vault, store, _, _ = world()
    vault.create_key("ci")  # a second active key the secret does not hold
    with pytest.raises(RotationRefused, match="another active key"):
        rotator(vault, store).rotate("ci", "app/key", timedelta(0))
    with pytest.raises(RotationRefused, match="no secret"):
        rotator(vault, store).rotate("ci", "missing", timedelta(0))


def test_schedule_rotates_only_keys_past_their_age() -> None:
    vault, store, _, _ = world()
    vault.now = NOW - timedelta(days=10)
    vault.add_user("web")
    vault.add_secret("web/key", vault.create_key("web"))
    targets = [RotationTarget("ci", "app/key"), RotationTarget("web", "web/key")]
    touched = rotator(vault, store).run_schedule(targets, timedelta(days=90), timedelta(0))
    assert [(r.user, r.step) for r in touched] == [("ci", Step.DONE)]
    assert rotator(vault, store).run_schedule(targets, timedelta(days=90), timedelta(0)) == []


def test_the_worker_runs_the_rotation_schedule_at_most_every_interval() -> None:
    vault, store, _, old_id = world()
    vault.now = NOW  # keys made from now on are new
    clock = FixedClock(NOW)
    schedule = RotationSchedule(
        KeyRotator(vault, store, clock, "worker", verify_pause=lambda attempt: None),
        (RotationTarget("ci", "app/key"),),
        max_age=timedelta(days=90),
        grace=timedelta(days=1),
        every=timedelta(hours=1),
    )
    twin = open_memory_store()
    worker = Worker(
        twin.grants, InMemoryIdentityCenter(Organization(())), clock, owner="w1", jobs=(schedule,)
    )
    assert worker.tick().scheduled == 1  # rotated up to the grace period
    assert store.open_for("ci") is not None and store.open_for("ci").step is Step.GRACE  # type: ignore[union-attr]
    clock.advance(days=2)  # past the grace period, and past the interval
    assert worker.tick().scheduled == 1
    assert_one_working_key(vault, old_id)
    clock.advance(minutes=5)
    assert worker.tick().scheduled == 0  # within the interval: not even looked at


def test_a_failing_job_is_counted_and_does_not_stop_the_tick() -> None:
    def broken(now: datetime) -> int:
        raise RuntimeError("endpoint down")

    twin = open_memory_store()
    worker = Worker(
        twin.grants, InMemoryIdentityCenter(Organization(())), FixedClock(NOW), owner="w1", jobs=(broken,)
    )
    report = worker.tick()
    assert (report.failed, report.scheduled) == (1, 0)


def test_schedule_notes_targets_it_cannot_rotate() -> None:
    vault, store, _, _ = world()
    rotator_ = rotator(vault, store)
    assert (
        rotator_.run_schedule([RotationTarget("ci", "missing/secret")], timedelta(days=1), timedelta(0)) == []
    )
    assert rotator_.refused and "no secret" in rotator_.refused[0]
