"""The in-memory twin of the key vault: IAM users' keys and secrets with staging labels, as AWS keeps them."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sojourn.service.ports.key_rotation import Observed, Outcome
from sojourn.workflow.key_rotation import MAX_KEYS_PER_USER, KeyState, RotationRefused

CURRENT, PENDING, PREVIOUS = "AWSCURRENT", "AWSPENDING", "AWSPREVIOUS"


class KeyLimitExceeded(RuntimeError):
    """IAM's LimitExceeded: the user already has two access keys."""


@dataclass
class _Key:
    key_id: str
    secret: str
    active: bool
    created: datetime


@dataclass
class MemoryKeyVault:
    """Implements KeyVault in memory; `now` stamps new keys; `broken_keys` never verify (a failure drill)."""

    now: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))
    keys: dict[str, list[_Key]] = field(default_factory=dict)
    versions: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    """secret id -> version id -> (key id, secret access key)."""
    stages: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    broken_keys: set[str] = field(default_factory=set)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_user(self, user: str) -> None:
        self.keys.setdefault(user, [])

    def add_secret(self, secret_id: str, key: tuple[str, str] | None = None) -> None:
        self.versions[secret_id], self.stages[secret_id] = {}, {}
        if key is not None:
            self.versions[secret_id]["v0"] = key
            self.stages[secret_id]["v0"] = {CURRENT}

    def secret_of(self, user: str, key_id: str) -> str:
        return next(k.secret for k in self.keys[user] if k.key_id == key_id)

    def current(self, secret_id: str) -> tuple[str, str] | None:
        version = self._labelled(secret_id, CURRENT)
        return self.versions[secret_id][version] if version else None

    def _labelled(self, secret_id: str, label: str) -> str | None:
        return next((v for v, labels in self.stages[secret_id].items() if label in labels), None)

    def observe(self, user: str, secret_id: str) -> Observed:
        with self._lock:
            if secret_id not in self.versions:
                raise RotationRefused(f"no secret {secret_id}: create it first")
            current, pending = self._labelled(secret_id, CURRENT), self._labelled(secret_id, PENDING)
            held = self.versions[secret_id]
            return Observed(
                tuple(KeyState(k.key_id, k.active) for k in self.keys[user]),
                current_key_id=held[current][0] if current else None,
                current_version=current,
                pending_version=pending,
                pending_key_id=held[pending][0] if pending else None,
            )

    def create_key(self, user: str) -> tuple[str, str]:
        with self._lock:
            if len(self.keys[user]) >= MAX_KEYS_PER_USER:
                raise KeyLimitExceeded(f"user {user} already has {MAX_KEYS_PER_USER} access keys")
            number = next(self._ids)
            key = _Key(f"AKIAMEMORY{number:010d}", f"secret-{number}", True, self.now)
            self.keys[user].append(key)
            return key.key_id, key.secret

    def store_pending(self, secret_id: str, version: str, key_id: str, secret: str) -> None:
        with self._lock:
            self.versions[secret_id].setdefault(version, (key_id, secret))
            for labels in self.stages[secret_id].values():
                labels.discard(PENDING)
            self.stages[secret_id].setdefault(version, set()).add(PENDING)

    def verify(self, user: str, secret_id: str, version: str) -> Outcome:
        with self._lock:
            key_id, secret = self.versions[secret_id][version]
            works = any(
                k.key_id == key_id and k.secret == secret and k.active for k in self.keys.get(user, [])
            )
        if not works or key_id in self.broken_keys:
            return Outcome(ok=False, error="InvalidClientTokenId from sts:GetCallerIdentity")
        return Outcome(ok=True)

    def promote(self, secret_id: str, version: str, from_version: str | None) -> None:
        with self._lock:
            stages = self.stages[secret_id]
            for labels in stages.values():
                labels.discard(PREVIOUS)
            for labels in stages.values():
                if CURRENT in labels:
                    labels.discard(CURRENT)
                    labels.add(PREVIOUS)
            stages[version].add(CURRENT)
        self.remove_pending(secret_id, version)

    def remove_pending(self, secret_id: str, version: str) -> None:
        with self._lock:
            self.stages[secret_id].get(version, set()).discard(PENDING)

    def deactivate(self, user: str, key_id: str) -> None:
        with self._lock:
            for key in self.keys[user]:
                if key.key_id == key_id:
                    key.active = False

    def delete_key(self, user: str, key_id: str) -> None:
        with self._lock:
            self.keys[user] = [k for k in self.keys[user] if k.key_id != key_id]

    def key_created(self, user: str, key_id: str) -> datetime | None:
        with self._lock:
            return next((k.created for k in self.keys.get(user, []) if k.key_id == key_id), None)
