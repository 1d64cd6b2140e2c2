"""Just-in-time requests and their queued effects (an outbox), with the audit record in the same transaction.

Every change to a request goes through `change`: the row is locked, the pure transition runs, the new
state, its audit records and its effects are written in one transaction. The worker claims effects with a
lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite serialises writers), performs them, and completes
them together with the follow-up transition, so a crash between "AWS accepted" and "recorded" leaves the
effect pending and it is performed again (idempotently).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, and_, case, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from sojourn.access.audit import AuditEvent
from sojourn.store.audit import append
from sojourn.store.tables import grant_effects, grant_requests
from sojourn.workflow.codec import request_from_json, request_to_json
from sojourn.workflow.effect_codec import REMOVALS_FIRST, effect_kind, effect_to_json
from sojourn.workflow.effects import Audit
from sojourn.workflow.grant_request import GrantRequest, State
from sojourn.workflow.outbox import ClaimedEffect, DuplicateRequest, RequestNotFound
from sojourn.workflow.transitions import Outcome

__all__ = ["ClaimedEffect", "GrantStore", "RequestNotFound", "audit_events"]
PER_ACCOUNT_ACTIONS = frozenset({"grant", "revoke", "expire", "break-glass", "auto", "deprovisioned"})


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def due_at(request: GrantRequest) -> datetime | None:
    if request.state is State.PENDING:
        return _utc(request.answer_by)
    if request.state is State.ACTIVE and request.ends_at is not None:
        return _utc(request.ends_at)
    return None


class GrantStore:
    """Requests and their effects in `grant_requests` and `grant_effects`, audited in the same transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.postgres = engine.dialect.name == "postgresql"

    def open(self, outcome: Outcome, at: datetime) -> GrantRequest:
        """Store a new request with its audit records and effects; DuplicateRequest if its id is taken."""
        try:
            return self._open(outcome, at)
        except IntegrityError as error:
            if self.exists(outcome.request.id):
                raise DuplicateRequest(f"a request {outcome.request.id!r} exists already") from error
            raise

    def _open(self, outcome: Outcome, at: datetime) -> GrantRequest:
        request = outcome.request
        with self._engine.begin() as connection:
            connection.execute(
                insert(grant_requests).values(
                    id=request.id,
                    person=request.person,
                    permission_set=request.permission_set,
                    state=request.state.value,
                    due_at=due_at(request),
                    version=1,
                    body=json.dumps(request_to_json(request)),
                )
            )
            self._record(connection, outcome, at)
        return request

    def change(self, request_id: str, step: Callable[[GrantRequest], Outcome], at: datetime) -> Outcome:
        """Lock the request, run the transition, store the result with its audit records and effects."""
        with self._engine.begin() as connection:
            return self._change(connection, request_id, step, at)

    def _change(
        self, connection: Connection, request_id: str, step: Callable[[GrantRequest], Outcome], at: datetime
    ) -> Outcome:
        query = select(grant_requests.c.version, grant_requests.c.body).where(
            grant_requests.c.id == request_id
        )
        row = connection.execute(query.with_for_update()).first()
        if row is None:
            raise RequestNotFound(f"no request {request_id!r}; `sojourn requests` lists them")
        outcome = step(request_from_json(json.loads(row.body)))
        if outcome.request != request_from_json(json.loads(row.body)) or outcome.effects:
            connection.execute(
                update(grant_requests)
                .where(grant_requests.c.id == request_id)
                .values(
                    state=outcome.request.state.value,
                    due_at=due_at(outcome.request),
                    version=int(row.version) + 1,
                    body=json.dumps(request_to_json(outcome.request)),
                )
            )
            self._record(connection, outcome, at)
        return outcome

    def _record(self, connection: Connection, outcome: Outcome, at: datetime) -> None:
        request = outcome.request
        for effect in outcome.effects:
            if isinstance(effect, Audit):
                for event in audit_events(request, effect, at):
                    append(connection, event)
                continue
            connection.execute(
                insert(grant_effects).values(
                    request_id=request.id,
                    kind=effect_kind(effect),
                    body=json.dumps(effect_to_json(effect)),
                    created_at=_utc(at),
                    next_at=_utc(at),
                    attempts=0,
                )
            )

    def exists(self, request_id: str) -> bool:
        with self._engine.connect() as connection:
            found = connection.execute(
                select(grant_requests.c.id).where(grant_requests.c.id == request_id)
            ).first()
        return found is not None

    def get(self, request_id: str) -> GrantRequest:
        with self._engine.connect() as connection:
            body = connection.execute(
                select(grant_requests.c.body).where(grant_requests.c.id == request_id)
            ).scalar()
        if body is None:
            raise RequestNotFound(f"no request {request_id!r}; `sojourn requests` lists them")
        return request_from_json(json.loads(body))

    def requests(self, *, person: str | None = None, states: tuple[State, ...] = ()) -> list[GrantRequest]:
        query = select(grant_requests.c.body)
        if person is not None:
            query = query.where(grant_requests.c.person == person)
        if states:
            query = query.where(grant_requests.c.state.in_([s.value for s in states]))
        with self._engine.connect() as connection:
            rows = connection.execute(query).scalars().all()
        return sorted((request_from_json(json.loads(b)) for b in rows), key=lambda r: r.requested_at)

    def due_requests(self, now: datetime, limit: int = 500) -> list[str]:
        with self._engine.connect() as connection:
            query = (
                select(grant_requests.c.id)
                .where(grant_requests.c.due_at <= _utc(now))
                .order_by(grant_requests.c.due_at)
                .limit(limit)
            )
            return list(connection.execute(query).scalars().all())

    def next_due(self) -> datetime | None:
        with self._engine.connect() as connection:
            request_due = connection.execute(
                select(grant_requests.c.due_at)
                .where(grant_requests.c.due_at.is_not(None))
                .order_by(grant_requests.c.due_at)
                .limit(1)
            ).scalar()
            effect_due = connection.execute(
                select(grant_effects.c.next_at)
                .where(grant_effects.c.done_at.is_(None))
                .order_by(grant_effects.c.next_at)
                .limit(1)
            ).scalar()
        found = [
            _utc(t) if t.tzinfo else t.replace(tzinfo=UTC) for t in (request_due, effect_due) if t is not None
        ]
        return min(found) if found else None

    def claim_effects(
        self, now: datetime, owner: str, lease: timedelta, limit: int = 50
    ) -> list[ClaimedEffect]:
        """Effects due now whose lease ran out (or is our own, from before a restart), leased to `owner`;
        removals of access first, then the oldest."""
        with self._engine.begin() as connection:
            query = (
                select(grant_effects)
                .where(
                    grant_effects.c.done_at.is_(None),
                    grant_effects.c.next_at <= _utc(now),
                    or_(
                        grant_effects.c.lease_until.is_(None),
                        grant_effects.c.lease_until < _utc(now),
                        grant_effects.c.lease_owner == owner,
                    ),
                )
                .order_by(
                    case((grant_effects.c.kind == REMOVALS_FIRST, 0), else_=1),
                    grant_effects.c.next_at,
                    grant_effects.c.id,
                )
                .limit(limit)
            )
            if self.postgres:
                query = query.with_for_update(skip_locked=True)
            rows = connection.execute(query).all()
            if not rows:
                return []
            connection.execute(
                update(grant_effects)
                .where(grant_effects.c.id.in_([r.id for r in rows]))
                .values(lease_owner=owner, lease_until=_utc(now + lease))
            )
        return [ClaimedEffect(r.id, r.request_id, r.kind, json.loads(r.body), r.attempts) for r in rows]

    def renew_effects(self, ids: Collection[int], owner: str, now: datetime, lease: timedelta) -> set[int]:
        """Extend `owner`'s lease on the effects `ids` until now + lease; the ids it still holds."""
        if not ids:
            return set()
        mine = and_(
            grant_effects.c.id.in_(list(ids)),
            grant_effects.c.done_at.is_(None),
            grant_effects.c.lease_owner == owner,
        )
        with self._engine.begin() as connection:
            held = connection.execute(
                update(grant_effects)
                .where(mine)
                .values(lease_until=_utc(now + lease))
                .returning(grant_effects.c.id)
            )
            return set(held.scalars().all())

    def complete_effect(
        self,
        effect: ClaimedEffect,
        owner: str,
        at: datetime,
        follow_up: Callable[[GrantRequest], Outcome] | None = None,
    ) -> bool:
        """Mark the effect done (only while our lease holds) and run the follow-up transition with it."""
        with self._engine.begin() as connection:
            done = connection.execute(
                update(grant_effects)
                .where(
                    and_(
                        grant_effects.c.id == effect.id,
                        grant_effects.c.done_at.is_(None),
                        grant_effects.c.lease_owner == owner,
                    )
                )
                .values(done_at=_utc(at), attempts=effect.attempts + 1, lease_until=None)
            ).rowcount
            if done and follow_up is not None:
                self._change(connection, effect.request_id, follow_up, at)
            return bool(done)

    def fail_effect(
        self,
        effect: ClaimedEffect,
        owner: str,
        at: datetime,
        error: str,
        retry_at: datetime,
        follow_up: Callable[[GrantRequest], Outcome] | None = None,
    ) -> None:
        with self._engine.begin() as connection:
            failed = connection.execute(
                update(grant_effects)
                .where(grant_effects.c.id == effect.id, grant_effects.c.lease_owner == owner)
                .values(
                    attempts=effect.attempts + 1,
                    next_at=_utc(retry_at),
                    lease_until=None,
                    last_error=error[:2000],
                )
            ).rowcount
            if failed and follow_up is not None:
                self._change(connection, effect.request_id, follow_up, at)

    def drop_effect(self, effect: ClaimedEffect, at: datetime, why: str) -> None:
        """Close an effect that no longer applies (e.g. provisioning for a request closed meanwhile)."""
        with self._engine.begin() as connection:
            connection.execute(
                update(grant_effects)
                .where(grant_effects.c.id == effect.id)
                .values(done_at=_utc(at), lease_until=None, last_error=why[:2000])
            )

    def pending_effects(self) -> int:
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(grant_effects.c.id).where(grant_effects.c.done_at.is_(None))
            ).all()
        return len(rows)


def audit_events(request: GrantRequest, effect: Audit, at: datetime) -> list[AuditEvent]:
    details = {
        "request": request.id,
        "state": request.state.value,
        "accounts": list(request.accounts),
        "approved_by": sorted(request.approvals()),
        "source": request.source,
        "ends_at": request.ends_at.isoformat() if request.ends_at else None,
    }
    accounts: list[str | None] = list(request.accounts) if effect.action in PER_ACCOUNT_ACTIONS else [None]
    return [
        AuditEvent(
            at=at,
            actor=effect.actor,
            action=f"jit.{effect.action}",
            reason=effect.reason or request.reason,
            target=f"request:{request.id}",
            person=request.person,
            account_id=account,
            permission_set=request.permission_set,
            details=details,
        )
        for account in accounts
    ]
