"""`sojourn keys rotate` and the worker's rotation schedule: drive the rotation state machine against the
vault, an audit intent before each AWS call and its outcome after, so a killed run resumes where it died."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sojourn.access.audit import AuditEvent
from sojourn.clock import Clock
from sojourn.service.ports.key_rotation import KeyRotationRepository, KeyVault
from sojourn.service.ports.notifier import RotationNotifier
from sojourn.workflow.key_rotation import (
    Action,
    CreateKey,
    Deactivate,
    DeleteKey,
    KeyRotation,
    Outcome,
    Promote,
    RemovePending,
    RotationRefused,
    Skip,
    Step,
    StorePending,
    Verify,
    Wait,
    action_name,
    after,
    key_age_due,
    next_action,
    start_rotation,
)

__all__ = ["KeyRotator", "RotationRefused", "RotationSchedule", "RotationTarget"]
Checkpoint = Callable[[str], None]
"""Called with "key-rotation:<step>:intent" after an intent is written and "key-rotation:<step>:called"
after the AWS call, before its outcome is written: where crash drills kill the process."""


@dataclass(frozen=True, slots=True)
class RotationTarget:
    """A user whose key the schedule rotates, and the secret that holds it."""

    user: str
    secret_id: str


@dataclass
class KeyRotator:
    vault: KeyVault
    rotations: KeyRotationRepository
    clock: Clock
    actor: str
    checkpoint: Checkpoint = lambda point: None
    notify: RotationNotifier | None = None
    verify_attempts: int = 5
    verify_pause: Callable[[int], None] = field(default=lambda attempt: time.sleep(min(2.0**attempt, 10.0)))
    refused: list[str] = field(default_factory=list)
    """Why scheduled targets could not be rotated (the worker reports them)."""
    _secrets: dict[str, str] = field(default_factory=dict, repr=False)

    def rotate(self, user: str, secret_id: str, grace: timedelta) -> KeyRotation:
        """Start a rotation of `user`'s key (or resume the unfinished one) and take it as far as it goes
        now: to the end, or to the grace period before the old key is deleted."""
        rotation = self.rotations.open_for(user)
        if rotation is None:
            rotation = self._start(user, secret_id, grace)
        elif rotation.secret_id != secret_id:
            raise RotationRefused(
                f"user {user} has an unfinished rotation {rotation.id} into secret {rotation.secret_id}; "
                "finish it first (`sojourn keys rotate` with that secret)"
            )
        return self._drive(rotation)

    def resume_unfinished(self) -> list[KeyRotation]:
        """Take every unfinished rotation as far as it goes now (the worker's tick)."""
        return [self._drive(rotation) for rotation in self.rotations.unfinished()]

    def run_schedule(
        self, targets: Sequence[RotationTarget], max_age: timedelta, grace: timedelta
    ) -> list[KeyRotation]:
        """Resume unfinished rotations, then rotate each target whose key in use is at least `max_age` old."""
        touched = self.resume_unfinished()
        busy = {r.user for r in touched}
        now = self.clock.now()
        for target in targets:
            if target.user in busy:
                continue
            try:
                seen = self.vault.observe(target.user, target.secret_id)
                key = seen.current_key_id or next((k.key_id for k in seen.keys if k.active), None)
                created = self.vault.key_created(target.user, key) if key else None
                if created is None or key_age_due(created, now, max_age):
                    touched.append(self.rotate(target.user, target.secret_id, grace))
            except RotationRefused as refused:
                self.refused.append(f"{target.user}: {refused}")
        return touched

    def _start(self, user: str, secret_id: str, grace: timedelta) -> KeyRotation:
        now = self.clock.now()
        seen = self.vault.observe(user, secret_id)
        rotation = start_rotation(
            f"rot-{uuid.uuid4().hex[:16]}",
            user,
            secret_id,
            seen,
            now,
            grace,
            self.rotations.retired_keys(user),
        )
        self.rotations.save(rotation, self._event(rotation, "key.rotation.start", "rotation started"))
        return rotation

    def _drive(self, rotation: KeyRotation) -> KeyRotation:
        while not rotation.step.finished:
            now = self.clock.now()
            seen = self.vault.observe(rotation.user, rotation.secret_id)
            action = next_action(rotation, seen, now, holding_secret=rotation.id in self._secrets)
            if isinstance(action, Wait):
                return rotation
            if isinstance(action, Skip):
                rotation = self._record(rotation, action, Outcome(), "skipped: " + action.why)
                continue
            step = rotation.step.value
            self.rotations.save(
                rotation, self._event(rotation, f"key.rotation.{step}.intent", _intent(action))
            )
            self.checkpoint(f"key-rotation:{step}:intent")
            outcome = self._perform(rotation, action)
            self.checkpoint(f"key-rotation:{step}:called")
            rotation = self._record(rotation, action, outcome, _done(action, outcome))
        self._secrets.pop(rotation.id, None)
        return rotation

    def _record(self, rotation: KeyRotation, action: Action, outcome: Outcome, what: str) -> KeyRotation:
        step = rotation.step.value
        changed = after(rotation, action, outcome, self.clock.now())
        self.rotations.save(changed, self._event(changed, f"key.rotation.{step}.outcome", what))
        if self.notify is not None:
            if step == "promote" and changed.step is Step.DEACTIVATE:
                self.notify("rotated", changed)
            elif changed.step is Step.DONE and rotation.step is not Step.DONE:
                self.notify("old_key_deleted", changed)
            elif changed.step is Step.FAILED and rotation.step is not Step.FAILED:
                self.notify("failed", changed)
        return changed

    def _perform(self, rotation: KeyRotation, action: Action) -> Outcome:
        vault, user, secret_id = self.vault, rotation.user, rotation.secret_id
        match action:
            case CreateKey():
                key_id, secret = vault.create_key(user)
                self._secrets[rotation.id] = secret
                return Outcome(key_id=key_id)
            case StorePending(version=version):
                assert rotation.new_key_id is not None
                vault.store_pending(secret_id, version, rotation.new_key_id, self._secrets[rotation.id])
            case Verify():
                return self._verify(rotation)
            case Promote(version=version, from_version=from_version):
                vault.promote(secret_id, version, from_version)
            case RemovePending(version=version):
                vault.remove_pending(secret_id, version)
            case Deactivate(key_id=key_id):
                vault.deactivate(user, key_id)
            case DeleteKey(key_id=key_id):
                vault.delete_key(user, key_id)
                if key_id == rotation.new_key_id:
                    self._secrets.pop(rotation.id, None)
        return Outcome()

    def _verify(self, rotation: KeyRotation) -> Outcome:
        """IAM keys take a few seconds to work everywhere: ask again with a growing pause before failing."""
        assert rotation.version is not None
        outcome = Outcome(ok=False, error="not verified")
        for attempt in range(self.verify_attempts):
            outcome = self.vault.verify(rotation.user, rotation.secret_id, rotation.version)
            if outcome.ok:
                return outcome
            if attempt + 1 < self.verify_attempts:
                self.verify_pause(attempt)
        return outcome

    def _event(self, rotation: KeyRotation, action: str, reason: str) -> AuditEvent:
        after_state = {
            "step": rotation.step.value,
            "old_key_id": rotation.old_key_id,
            "new_key_id": rotation.new_key_id,
            "version": rotation.version,
            "secret_id": rotation.secret_id,
        }
        return AuditEvent(
            at=self.clock.now(),
            actor=self.actor,
            action=action,
            reason=reason,
            target=f"iam-user:{rotation.user}",
            person=rotation.user,
            after=after_state,
            run_id=rotation.id,
            details={"error": rotation.error} if rotation.error else {},
        )


@dataclass
class RotationSchedule:
    """The worker's job: every `every`, resume unfinished rotations and rotate keys older than `max_age`."""

    rotator: KeyRotator
    targets: tuple[RotationTarget, ...]
    max_age: timedelta
    grace: timedelta
    every: timedelta
    _last: datetime | None = None

    def __call__(self, now: datetime) -> int:
        """How many rotations moved; nothing when the last look was less than `every` ago."""
        if self._last is not None and now - self._last < self.every:
            return 0
        self._last = now
        return len(self.rotator.run_schedule(self.targets, self.max_age, self.grace))


def _intent(action: Action) -> str:
    match action:
        case DeleteKey(key_id=key_id, why=why):
            return f"delete key {key_id}: {why}"
        case Deactivate(key_id=key_id):
            return f"deactivate old key {key_id}"
        case Promote(version=version):
            return f"make version {version} AWSCURRENT"
        case StorePending(version=version):
            return f"store the new key as version {version} (AWSPENDING)"
    return action_name(action).replace("-", " ")


def _done(action: Action, outcome: Outcome) -> str:
    if isinstance(action, CreateKey):
        return f"created key {outcome.key_id}"
    if isinstance(action, Verify):
        return "the new key works" if outcome.ok else f"the new key does not work: {outcome.error}"
    return "done: " + _intent(action)
