"""The in-memory twin of the key rotation repository; a save and its audit record happen under one lock."""

from __future__ import annotations

from sojourn.access.audit import AuditEvent
from sojourn.store.memory_audit import MemoryAuditLog
from sojourn.workflow.key_rotation import KeyRotation


class MemoryKeyRotationStore:
    """Implements the KeyRotationRepository port in memory; same answers as `KeyRotationStore`."""

    def __init__(self, audit: MemoryAuditLog) -> None:
        self._audit = audit
        self._rotations: dict[str, KeyRotation] = {}

    def save(self, rotation: KeyRotation, event: AuditEvent) -> None:
        with self._audit.lock:
            record = self._audit.prepare(event)
            self._rotations[rotation.id] = rotation
            self._audit.commit(record)

    def get(self, rotation_id: str) -> KeyRotation | None:
        with self._audit.lock:
            return self._rotations.get(rotation_id)

    def open_for(self, user: str) -> KeyRotation | None:
        return next((r for r in self.unfinished() if r.user == user), None)

    def unfinished(self) -> list[KeyRotation]:
        with self._audit.lock:
            found = [r for r in self._rotations.values() if not r.step.finished]
        return sorted(found, key=lambda r: r.started_at)

    def retired_keys(self, user: str) -> frozenset[str]:
        with self._audit.lock:
            return frozenset(
                r.old_key_id
                for r in self._rotations.values()
                if r.user == user and r.deactivated_at is not None and r.old_key_id is not None
            )

    def recent(self, limit: int = 20) -> list[KeyRotation]:
        with self._audit.lock:
            found = sorted(self._rotations.values(), key=lambda r: r.started_at, reverse=True)
        return found[:limit]
