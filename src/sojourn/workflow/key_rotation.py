"""Rotating an IAM user's access key through a Secrets Manager secret, as a pure state machine.

create a new key -> store it as a new secret version labelled AWSPENDING -> verify it works -> promote that
version to AWSCURRENT -> deactivate the old key -> after a grace period delete the old key.

`next_action` decides from the recorded rotation and what AWS shows now, so a run killed anywhere resumes
correctly: a step already done in AWS is skipped, a key created by a run that died before its secret was
stored is deleted and made again. The old key stays active until the new one is verified and current, so
the user never has zero working keys; at the end the user has exactly one key, the one AWSCURRENT holds.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

_VERSIONS = uuid.UUID("6f0c9d8e-3a51-4c1b-9a8f-2d7e5b4c3a21")
MAX_KEYS_PER_USER = 2
"""IAM's limit on access keys per user: a rotation needs one free slot."""


class Step(StrEnum):
    CREATE = "create"
    STORE = "store"
    VERIFY = "verify"
    PROMOTE = "promote"
    DEACTIVATE = "deactivate"
    GRACE = "grace"
    DELETE = "delete"
    ROLLBACK = "rollback"
    DONE = "done"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (Step.DONE, Step.FAILED)


@dataclass(frozen=True, slots=True)
class KeyState:
    key_id: str
    active: bool


@dataclass(frozen=True, slots=True)
class Observed:
    """What AWS shows now: the user's keys and the secret's AWSCURRENT and AWSPENDING versions."""

    keys: tuple[KeyState, ...]
    current_key_id: str | None = None
    current_version: str | None = None
    pending_version: str | None = None
    pending_key_id: str | None = None

    def key(self, key_id: str | None) -> KeyState | None:
        return next((k for k in self.keys if k.key_id == key_id), None)


@dataclass(frozen=True, slots=True)
class KeyRotation:
    id: str
    user: str
    secret_id: str
    step: Step
    started_at: datetime
    updated_at: datetime
    old_key_id: str | None
    grace: timedelta
    new_key_id: str | None = None
    version: str | None = None
    """The secret version (and ClientRequestToken) the new key is stored under."""
    attempts: int = 0
    """Keys created so far (a key lost with a killed run is made again)."""
    deactivated_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None

    @property
    def delete_after(self) -> datetime | None:
        return self.deactivated_at + self.grace if self.deactivated_at else None


class RotationRefused(ValueError):
    """The user's keys or the secret are not in a state Sojourn can rotate from; the message says why."""


@dataclass(frozen=True, slots=True)
class CreateKey:
    pass


@dataclass(frozen=True, slots=True)
class DeleteKey:
    key_id: str
    why: str


@dataclass(frozen=True, slots=True)
class StorePending:
    version: str


@dataclass(frozen=True, slots=True)
class Verify:
    key_id: str


@dataclass(frozen=True, slots=True)
class Promote:
    version: str
    from_version: str | None


@dataclass(frozen=True, slots=True)
class RemovePending:
    version: str


@dataclass(frozen=True, slots=True)
class Deactivate:
    key_id: str


@dataclass(frozen=True, slots=True)
class Wait:
    until: datetime


@dataclass(frozen=True, slots=True)
class Skip:
    """The step is already done in AWS (a resumed run): move on without calling AWS."""

    to: Step
    why: str


Action = CreateKey | DeleteKey | StorePending | Verify | Promote | RemovePending | Deactivate | Wait | Skip


def action_name(action: Action) -> str:
    return {
        CreateKey: "create-key",
        DeleteKey: "delete-key",
        StorePending: "store-pending",
        Verify: "verify",
        Promote: "promote",
        RemovePending: "remove-pending",
        Deactivate: "deactivate",
        Wait: "wait",
        Skip: "skip",
    }[type(action)]


def start_rotation(
    rotation_id: str,
    user: str,
    secret_id: str,
    seen: Observed,
    now: datetime,
    grace: timedelta,
    retired: frozenset[str] = frozenset(),
) -> KeyRotation:
    """A new rotation, or RotationRefused. The old key is the one the secret holds (else the user's only
    active key); any other key must be inactive and retired by an earlier rotation, and is deleted to free
    the second key slot."""
    if seen.current_key_id is not None:
        if seen.key(seen.current_key_id) is None:
            raise RotationRefused(
                f"the secret {secret_id} holds key {seen.current_key_id}, which user {user} does not have"
            )
        old: str | None = seen.current_key_id
    else:
        active = [k.key_id for k in seen.keys if k.active]
        if len(active) > 1:
            raise RotationRefused(
                f"user {user} has {len(active)} active keys and the secret {secret_id} names none of them"
            )
        old = active[0] if active else None
    for key in seen.keys:
        if key.key_id == old:
            continue
        if key.active:
            raise RotationRefused(
                f"user {user} has another active key {key.key_id} that the secret does not hold; "
                "Sojourn rotates only the key it manages (deactivate or delete the other one)"
            )
        if key.key_id not in retired:
            raise RotationRefused(
                f"user {user} already has {MAX_KEYS_PER_USER} keys (IAM's limit) and the inactive key "
                f"{key.key_id} was not retired by Sojourn; delete it to free a slot"
            )
    return KeyRotation(rotation_id, user, secret_id, Step.CREATE, now, now, old, grace)


def next_action(rotation: KeyRotation, seen: Observed, now: datetime, *, holding_secret: bool) -> Action:
    """What to do next; `holding_secret` says whether this process still has the new key's secret (a
    restarted process does not, and then makes the key again)."""
    r = rotation
    match r.step:
        case Step.CREATE:
            extra = [k.key_id for k in seen.keys if k.key_id != r.old_key_id]
            if extra:
                return DeleteKey(extra[0], "not the key in use: left by an interrupted run or retired")
            return CreateKey()
        case Step.STORE:
            if r.new_key_id is None or seen.key(r.new_key_id) is None:
                return Skip(Step.CREATE, "the new key is gone; make another")
            if seen.pending_key_id == r.new_key_id and seen.pending_version is not None:
                return Skip(Step.VERIFY, "the secret already holds the new key as AWSPENDING")
            if holding_secret and r.version is not None:
                return StorePending(r.version)
            return DeleteKey(
                r.new_key_id, "its secret was lost with the interrupted run before it was stored"
            )
        case Step.VERIFY:
            return Verify(r.new_key_id or "")
        case Step.PROMOTE:
            assert r.version is not None
            if seen.current_version == r.version:
                if seen.pending_version == r.version:
                    return RemovePending(r.version)
                return Skip(Step.DEACTIVATE, "the new version is already AWSCURRENT")
            return Promote(r.version, seen.current_version)
        case Step.DEACTIVATE:
            old = seen.key(r.old_key_id)
            if old is None or not old.active:
                return Skip(Step.GRACE if old else Step.DONE, "the old key is already inactive or gone")
            return Deactivate(old.key_id)
        case Step.GRACE:
            until = r.delete_after or now
            if seen.key(r.old_key_id) is None:
                return Skip(Step.DONE, "the old key is already gone")
            if now < until:
                return Wait(until)
            return Skip(Step.DELETE, "the grace period is over")
        case Step.DELETE:
            if seen.key(r.old_key_id) is None:
                return Skip(Step.DONE, "the old key is already gone")
            return DeleteKey(r.old_key_id or "", "the grace period is over")
        case Step.ROLLBACK:
            if r.new_key_id is not None and seen.key(r.new_key_id) is not None:
                return DeleteKey(r.new_key_id, "the new key did not work; the old one stays")
            if r.version is not None and seen.pending_version == r.version:
                return RemovePending(r.version)
            return Skip(Step.FAILED, "rolled back; the old key is untouched")
    return Wait(now)  # finished: nothing to do


@dataclass(frozen=True, slots=True)
class Outcome:
    """What performing an action gave: a created key's id, or whether the new key worked."""

    key_id: str | None = None
    ok: bool = True
    error: str | None = None


def after(rotation: KeyRotation, action: Action, outcome: Outcome, now: datetime) -> KeyRotation:
    """The rotation once `action` was performed with `outcome`."""
    r = replace(rotation, updated_at=now)
    match action:
        case Skip(to=to):
            r = replace(r, step=to)
            if to is Step.CREATE:
                r = replace(r, new_key_id=None, version=None)
            if to is Step.GRACE and r.deactivated_at is None:
                r = replace(r, deactivated_at=now)
        case CreateKey():
            attempts = r.attempts + 1
            version = str(uuid.uuid5(_VERSIONS, f"{r.id}/{attempts}"))
            r = replace(r, step=Step.STORE, new_key_id=outcome.key_id, version=version, attempts=attempts)
        case DeleteKey(key_id=key_id):
            if r.step is Step.STORE:
                r = replace(r, step=Step.CREATE, new_key_id=None, version=None)
            elif r.step is Step.DELETE and key_id == r.old_key_id:
                r = replace(r, step=Step.DONE)
        case StorePending():
            r = replace(r, step=Step.VERIFY)
        case Verify():
            if outcome.ok:
                r = replace(r, step=Step.PROMOTE)
            else:
                r = replace(r, step=Step.ROLLBACK, error=outcome.error or "the new key did not work")
        case Promote():
            r = replace(r, step=Step.DEACTIVATE)
        case RemovePending():
            r = replace(r, step=Step.FAILED if r.step is Step.ROLLBACK else Step.DEACTIVATE)
        case Deactivate():
            r = replace(r, step=Step.GRACE, deactivated_at=now)
        case Wait():
            pass
    if r.step.finished and r.finished_at is None:
        r = replace(r, finished_at=now)
    return r


def key_age_due(created: datetime, now: datetime, max_age: timedelta) -> bool:
    """Whether a key created at `created` is due for rotation under a maximum age."""
    return now - created >= max_age
