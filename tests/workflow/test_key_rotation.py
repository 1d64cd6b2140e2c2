"""The key rotation state machine: every step's transition, the skips a resumed run makes, refusals."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from sojourn.workflow.key_rotation import (
    CreateKey,
    Deactivate,
    DeleteKey,
    KeyRotation,
    KeyState,
    Observed,
    Outcome,
    Promote,
    RemovePending,
    RotationRefused,
    Skip,
    Step,
    StorePending,
    Verify,
    Wait,
    after,
    key_age_due,
    next_action,
    start_rotation,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)
OLD, NEW = KeyState("AKIAOLD", True), KeyState("AKIANEW", True)
GRACE = timedelta(days=7)


def rotation(step: Step, **fields: object) -> KeyRotation:
    base = KeyRotation("rot-1", "ci", "app/key", step, NOW, NOW, "AKIAOLD", GRACE)
    return replace(base, **fields)  # type: ignore[arg-type]


def seen(*keys: KeyState, **fields: object) -> Observed:
    return Observed(keys, **fields)  # type: ignore[arg-type]


def test_start_takes_the_key_the_secret_holds() -> None:
    r = start_rotation("rot-1", "ci", "app/key", seen(OLD, current_key_id="AKIAOLD"), NOW, GRACE)
    assert (r.step, r.old_key_id, r.new_key_id) == (Step.CREATE, "AKIAOLD", None)


def test_start_without_a_current_version_takes_the_only_active_key_or_none() -> None:
    assert start_rotation("r", "ci", "s", seen(OLD), NOW, GRACE).old_key_id == "AKIAOLD"
    assert start_rotation("r", "ci", "s", seen(), NOW, GRACE).old_key_id is None
    with pytest.raises(RotationRefused, match="2 active keys"):
        start_rotation("r", "ci", "s", seen(OLD, NEW), NOW, GRACE)


def test_start_refuses_a_secret_naming_a_key_the_user_lacks() -> None:
    with pytest.raises(RotationRefused, match="does not have"):
        start_rotation("r", "ci", "s", seen(OLD, current_key_id="AKIAGONE"), NOW, GRACE)


def test_two_key_limit_another_active_or_unknown_key_is_refused_a_retired_one_is_freed() -> None:
    other_active = KeyState("AKIAOTHER", True)
    with pytest.raises(RotationRefused, match="another active key"):
        start_rotation("r", "ci", "s", seen(OLD, other_active, current_key_id="AKIAOLD"), NOW, GRACE)
    retired = KeyState("AKIARETIRED", False)
    with pytest.raises(RotationRefused, match="IAM's limit"):
        start_rotation("r", "ci", "s", seen(OLD, retired, current_key_id="AKIAOLD"), NOW, GRACE)
    r = start_rotation(
        "r", "ci", "s", seen(OLD, retired, current_key_id="AKIAOLD"), NOW, GRACE, frozenset({"AKIARETIRED"})
    )
    assert next_action(r, seen(OLD, retired), NOW, holding_secret=False) == DeleteKey(
        "AKIARETIRED", "not the key in use: left by an interrupted run or retired"
    )
    assert next_action(r, seen(OLD), NOW, holding_secret=False) == CreateKey()


def test_create_then_store_then_verify() -> None:
    r = rotation(Step.CREATE)
    created = after(r, CreateKey(), Outcome(key_id="AKIANEW"), NOW)
    assert (created.step, created.new_key_id, created.attempts) == (Step.STORE, "AKIANEW", 1)
    assert created.version is not None and len(created.version) == 36
    action = next_action(created, seen(OLD, NEW), NOW, holding_secret=True)
    assert action == StorePending(created.version)
    stored = after(created, action, Outcome(), NOW)
    assert stored.step is Step.VERIFY
    assert next_action(stored, seen(OLD, NEW), NOW, holding_secret=False) == Verify("AKIANEW")


def test_versions_differ_per_attempt_and_rotation() -> None:
    first = after(rotation(Step.CREATE), CreateKey(), Outcome(key_id="A"), NOW)
    second = after(rotation(Step.CREATE, attempts=1), CreateKey(), Outcome(key_id="B"), NOW)
    other = after(rotation(Step.CREATE, id="rot-2"), CreateKey(), Outcome(key_id="C"), NOW)
    assert len({first.version, second.version, other.version}) == 3


def test_store_after_a_restart_lost_secret_deletes_the_key_and_creates_again() -> None:
    r = rotation(Step.STORE, new_key_id="AKIANEW", version="v1", attempts=1)
    action = next_action(r, seen(OLD, NEW), NOW, holding_secret=False)
    assert isinstance(action, DeleteKey) and action.key_id == "AKIANEW"
    back = after(r, action, Outcome(), NOW)
    assert (back.step, back.new_key_id, back.version) == (Step.CREATE, None, None)
    gone = next_action(r, seen(OLD), NOW, holding_secret=False)
    assert gone == Skip(Step.CREATE, "the new key is gone; make another")


def test_store_already_done_is_skipped() -> None:
    r = rotation(Step.STORE, new_key_id="AKIANEW", version="v1")
    action = next_action(
        r, seen(OLD, NEW, pending_version="v1", pending_key_id="AKIANEW"), NOW, holding_secret=False
    )
    assert isinstance(action, Skip) and action.to is Step.VERIFY


def test_create_step_deletes_a_key_an_interrupted_create_left() -> None:
    action = next_action(rotation(Step.CREATE), seen(OLD, NEW), NOW, holding_secret=False)
    assert isinstance(action, DeleteKey) and action.key_id == "AKIANEW"
    assert after(rotation(Step.CREATE), action, Outcome(), NOW).step is Step.CREATE


def test_verify_success_promotes_failure_rolls_back() -> None:
    r = rotation(Step.VERIFY, new_key_id="AKIANEW", version="v1")
    assert after(r, Verify("AKIANEW"), Outcome(ok=True), NOW).step is Step.PROMOTE
    failed = after(r, Verify("AKIANEW"), Outcome(ok=False, error="InvalidClientTokenId"), NOW)
    assert (failed.step, failed.error) == (Step.ROLLBACK, "InvalidClientTokenId")


def test_rollback_deletes_the_new_key_drops_pending_then_fails() -> None:
    r = rotation(Step.ROLLBACK, new_key_id="AKIANEW", version="v1", error="x")
    assert next_action(r, seen(OLD, NEW, pending_version="v1"), NOW, holding_secret=False) == DeleteKey(
        "AKIANEW", "the new key did not work; the old one stays"
    )
    assert after(r, DeleteKey("AKIANEW", ""), Outcome(), NOW).step is Step.ROLLBACK
    assert next_action(r, seen(OLD, pending_version="v1"), NOW, holding_secret=False) == RemovePending("v1")
    removed = after(r, RemovePending("v1"), Outcome(), NOW)
    assert removed.step is Step.FAILED and removed.finished_at == NOW
    action = next_action(r, seen(OLD), NOW, holding_secret=False)
    assert isinstance(action, Skip) and action.to is Step.FAILED


def test_promote_and_its_resumed_halves() -> None:
    r = rotation(Step.PROMOTE, new_key_id="AKIANEW", version="v1")
    both = seen(OLD, NEW, current_version="v0", pending_version="v1")
    assert next_action(r, both, NOW, holding_secret=False) == Promote("v1", "v0")
    assert after(r, Promote("v1", "v0"), Outcome(), NOW).step is Step.DEACTIVATE
    half = seen(OLD, NEW, current_version="v1", pending_version="v1")
    assert next_action(r, half, NOW, holding_secret=False) == RemovePending("v1")
    assert after(r, RemovePending("v1"), Outcome(), NOW).step is Step.DEACTIVATE
    done = next_action(r, seen(OLD, NEW, current_version="v1"), NOW, holding_secret=False)
    assert isinstance(done, Skip) and done.to is Step.DEACTIVATE


def test_deactivate_then_grace_then_delete() -> None:
    r = rotation(Step.DEACTIVATE, new_key_id="AKIANEW", version="v1")
    assert next_action(r, seen(OLD, NEW), NOW, holding_secret=False) == Deactivate("AKIAOLD")
    waiting = after(r, Deactivate("AKIAOLD"), Outcome(), NOW)
    assert (waiting.step, waiting.delete_after) == (Step.GRACE, NOW + GRACE)
    inactive = seen(replace(OLD, active=False), NEW)
    assert next_action(waiting, inactive, NOW + timedelta(days=1), holding_secret=False) == Wait(NOW + GRACE)
    over = next_action(waiting, inactive, NOW + GRACE, holding_secret=False)
    assert over == Skip(Step.DELETE, "the grace period is over")
    deleting = after(waiting, over, Outcome(), NOW + GRACE)
    action = next_action(deleting, inactive, NOW + GRACE, holding_secret=False)
    assert action == DeleteKey("AKIAOLD", "the grace period is over")
    done = after(deleting, action, Outcome(), NOW + GRACE)
    assert done.step is Step.DONE and done.finished_at == NOW + GRACE


def test_deactivate_already_done_or_old_key_gone() -> None:
    r = rotation(Step.DEACTIVATE)
    skip = next_action(r, seen(replace(OLD, active=False), NEW), NOW, holding_secret=False)
    assert isinstance(skip, Skip) and skip.to is Step.GRACE
    assert after(r, skip, Outcome(), NOW).deactivated_at == NOW
    gone = next_action(r, seen(NEW), NOW, holding_secret=False)
    assert isinstance(gone, Skip) and gone.to is Step.DONE
    first_key = next_action(rotation(Step.DEACTIVATE, old_key_id=None), seen(NEW), NOW, holding_secret=False)
    assert isinstance(first_key, Skip) and first_key.to is Step.DONE


def test_grace_or_delete_with_the_old_key_already_gone_is_done() -> None:
    for step in (Step.GRACE, Step.DELETE):
        r = rotation(step, deactivated_at=NOW)
        action = next_action(r, seen(NEW), NOW, holding_secret=False)
        assert isinstance(action, Skip) and action.to is Step.DONE


def test_finished_rotations_wait_forever_and_key_age() -> None:
    assert isinstance(next_action(rotation(Step.DONE), seen(NEW), NOW, holding_secret=False), Wait)
    assert key_age_due(NOW - timedelta(days=90), NOW, timedelta(days=90))
    assert not key_age_due(NOW - timedelta(days=89), NOW, timedelta(days=90))
