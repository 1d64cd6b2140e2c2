"""The worker's step hook signs audit checkpoints as records are committed, and never stops the worker."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from sojourn.clock import FixedClock
from sojourn.service.audit import AuditTrail, checkpointing_steps
from sojourn.store.audit_checkpoints import CheckpointDirectory
from sojourn.store.memory import open_memory_store
from tests.store.events import T0, event


def test_commits_are_checkpointed_every_n_records_and_other_steps_pass_through(tmp_path: Path) -> None:
    store = open_memory_store()
    checkpoints = CheckpointDirectory(tmp_path / "cp", tmp_path / "key.pem")
    seen: list[str] = []
    step = checkpointing_steps(AuditTrail(store.audit, checkpoints, every=2), FixedClock(T0), seen.append)
    signed = []
    for minute in range(5):
        store.audit.append(event(minute))
        step("provision:before-aws")
        step("provision:after-commit")
        kept = checkpoints.latest()
        signed.append(None if kept is None else kept.seq)
    assert signed == [1, 1, 3, 3, 5]
    assert seen == ["provision:before-aws", "provision:after-commit"] * 5


def test_a_checkpoint_that_cannot_be_written_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = open_memory_store()
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    checkpoints = CheckpointDirectory(blocked / "cp", tmp_path / "key.pem")
    step = checkpointing_steps(AuditTrail(store.audit, checkpoints), FixedClock(T0), lambda name: None)
    store.audit.append(event(0))
    with caplog.at_level(logging.WARNING, logger="sojourn.audit"):
        step("deprovision:after-commit")
    assert "no audit checkpoint written" in caplog.text
