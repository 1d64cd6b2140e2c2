"""Assignment claims in `assignment_claims`: one row per claimed (principal, account, permission set).

The primary key lets one insert win on SQLite and PostgreSQL alike (ON CONFLICT DO NOTHING); a loser takes
the row over only when the claim ran out, is its own, or was left by an earlier process of the same worker
(process ids sort by start time):
one UPDATE with those conditions, so two takers cannot both win.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite

from sojourn.service.ports.claims import Claimant, ClaimKey
from sojourn.store.tables import assignment_claims

c = assignment_claims.c


class AssignmentClaimStore:
    """Implements the AssignmentClaims port over one SQL database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert: Any = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def claim(self, key: ClaimKey, claimant: Claimant, now: datetime, lease: timedelta) -> bool:
        until = (now + lease).astimezone(UTC)
        holder = {"worker": claimant.worker, "process": claimant.process, "thread": claimant.thread}
        with self._engine.begin() as connection:
            inserted = connection.execute(
                self._insert(assignment_claims)
                .values(
                    principal=key.principal,
                    account_id=key.account_id,
                    permission_set=key.permission_set,
                    expires_at=until,
                    **holder,
                )
                .on_conflict_do_nothing()
                .returning(c.principal)
            ).first()
            if inserted is not None:
                return True
            taken = connection.execute(
                update(assignment_claims)
                .where(
                    self._row(key),
                    or_(
                        c.expires_at <= now.astimezone(UTC),
                        self._held_by(claimant),
                        and_(c.worker == claimant.worker, c.process < claimant.process),
                    ),
                )
                .values(expires_at=until, **holder)
            ).rowcount
            return bool(taken)

    def renew(self, key: ClaimKey, claimant: Claimant, now: datetime, lease: timedelta) -> bool:
        with self._engine.begin() as connection:
            renewed = connection.execute(
                update(assignment_claims)
                .where(self._row(key), self._held_by(claimant))
                .values(expires_at=(now + lease).astimezone(UTC))
            ).rowcount
        return bool(renewed)

    def release(self, key: ClaimKey, claimant: Claimant) -> None:
        with self._engine.begin() as connection:
            connection.execute(delete(assignment_claims).where(self._row(key), self._held_by(claimant)))

    @staticmethod
    def _held_by(claimant: Claimant) -> ColumnElement[bool]:
        return and_(
            c.worker == claimant.worker,
            c.process == claimant.process,
            c.thread == claimant.thread,
        )

    @staticmethod
    def _row(key: ClaimKey) -> ColumnElement[bool]:
        return and_(
            c.principal == key.principal,
            c.account_id == key.account_id,
            c.permission_set == key.permission_set,
        )
