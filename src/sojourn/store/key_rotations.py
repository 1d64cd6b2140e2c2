"""Key rotations in the database; each save writes the rotation and its audit record in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, update

from sojourn.access.audit import AuditEvent
from sojourn.store.audit import append
from sojourn.store.tables import key_rotations
from sojourn.workflow.key_rotation import KeyRotation, Step

_OPEN = [step.value for step in Step if not step.finished]


class KeyRotationStore:
    """Implements the KeyRotationRepository port over SQLAlchemy (SQLite, PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save(self, rotation: KeyRotation, event: AuditEvent) -> None:
        values = _row(rotation)
        with self._engine.begin() as connection:
            found = connection.execute(
                select(key_rotations.c.id).where(key_rotations.c.id == rotation.id).with_for_update()
            ).first()
            if found is None:
                connection.execute(insert(key_rotations).values(id=rotation.id, **values))
            else:
                connection.execute(
                    update(key_rotations).where(key_rotations.c.id == rotation.id).values(**values)
                )
            append(connection, event)

    def get(self, rotation_id: str) -> KeyRotation | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(key_rotations).where(key_rotations.c.id == rotation_id)).first()
        return _rotation(row) if row is not None else None

    def open_for(self, user: str) -> KeyRotation | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(key_rotations)
                .where(key_rotations.c.user_name == user, key_rotations.c.step.in_(_OPEN))
                .order_by(key_rotations.c.started_at)
            ).first()
        return _rotation(row) if row is not None else None

    def unfinished(self) -> list[KeyRotation]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(key_rotations)
                .where(key_rotations.c.step.in_(_OPEN))
                .order_by(key_rotations.c.started_at)
            ).all()
        return [_rotation(row) for row in rows]

    def retired_keys(self, user: str) -> frozenset[str]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(key_rotations.c.old_key_id).where(
                    key_rotations.c.user_name == user,
                    key_rotations.c.deactivated_at.is_not(None),
                    key_rotations.c.old_key_id.is_not(None),
                )
            ).all()
        return frozenset(str(row.old_key_id) for row in rows)

    def recent(self, limit: int = 20) -> list[KeyRotation]:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(key_rotations).order_by(key_rotations.c.started_at.desc()).limit(limit)
            ).all()
        return [_rotation(row) for row in rows]


def _row(r: KeyRotation) -> dict[str, Any]:
    return {
        "user_name": r.user,
        "secret_id": r.secret_id,
        "step": r.step.value,
        "started_at": r.started_at,
        "updated_at": r.updated_at,
        "old_key_id": r.old_key_id,
        "new_key_id": r.new_key_id,
        "version": r.version,
        "attempts": r.attempts,
        "grace_seconds": int(r.grace.total_seconds()),
        "deactivated_at": r.deactivated_at,
        "finished_at": r.finished_at,
        "error": r.error,
    }


def _rotation(row: Any) -> KeyRotation:
    return KeyRotation(
        id=row.id,
        user=row.user_name,
        secret_id=row.secret_id,
        step=Step(row.step),
        started_at=_aware(row.started_at),
        updated_at=_aware(row.updated_at),
        old_key_id=row.old_key_id,
        grace=timedelta(seconds=row.grace_seconds),
        new_key_id=row.new_key_id,
        version=row.version,
        attempts=row.attempts,
        deactivated_at=_aware(row.deactivated_at) if row.deactivated_at else None,
        finished_at=_aware(row.finished_at) if row.finished_at else None,
        error=row.error,
    )


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
