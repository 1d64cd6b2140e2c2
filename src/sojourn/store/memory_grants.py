"""The in-memory twin of the grants repository: requests, their queued effects with leases, audit records.

Each method runs as one transaction: under the twin store's lock, and undone as a whole when the
transition (or the follow-up) raises, as the database's rollback would.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sojourn.store.grants import audit_events, due_at
from sojourn.store.memory_audit import MemoryAuditLog, utc
from sojourn.workflow.codec import request_from_json, request_to_json
from sojourn.workflow.effect_codec import REMOVALS_FIRST, effect_kind, effect_to_json
from sojourn.workflow.effects import Audit
from sojourn.workflow.grant_request import GrantRequest, State
from sojourn.workflow.outbox import ClaimedEffect, DuplicateRequest, RequestNotFound
from sojourn.workflow.transitions import Outcome


@dataclass(frozen=True, slots=True)
class _Request:
    person: str
    permission_set: str
    state: str
    due_at: datetime | None
    version: int
    body: str


@dataclass(frozen=True, slots=True)
class _Effect:
    id: int
    request_id: str
    kind: str
    body: str
    created_at: datetime
    next_at: datetime
    attempts: int
    done_at: datetime | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None
    last_error: str | None = None


class MemoryGrantStore:
    """Just-in-time requests and their effects (an outbox) in dictionaries, audited like the database."""

    def __init__(self, audit: MemoryAuditLog) -> None:
        self._audit = audit
        self._requests: dict[str, _Request] = {}
        self._effects: dict[int, _Effect] = {}
        self._last_effect_id = 0

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._audit.lock:
            saved = (dict(self._requests), dict(self._effects), self._last_effect_id)
            records, head = list(self._audit.records), self._audit.head
            try:
                yield
            except BaseException:
                self._requests, self._effects, self._last_effect_id = saved
                self._audit.records, self._audit.head = records, head
                raise

    def open(self, outcome: Outcome, at: datetime) -> GrantRequest:
        request = outcome.request
        with self._transaction():
            if request.id in self._requests:
                raise DuplicateRequest(f"a request {request.id!r} exists already")
            self._requests[request.id] = _Request(
                request.person,
                request.permission_set,
                request.state.value,
                due_at(request),
                1,
                json.dumps(request_to_json(request)),
            )
            self._record(outcome, at)
        return request

    def change(self, request_id: str, step: Callable[[GrantRequest], Outcome], at: datetime) -> Outcome:
        with self._transaction():
            return self._change(request_id, step, at)

    def _change(self, request_id: str, step: Callable[[GrantRequest], Outcome], at: datetime) -> Outcome:
        row = self._requests.get(request_id)
        if row is None:
            raise RequestNotFound(f"no request {request_id!r}; `sojourn requests` lists them")
        outcome = step(request_from_json(json.loads(row.body)))
        if outcome.request != request_from_json(json.loads(row.body)) or outcome.effects:
            self._requests[request_id] = replace(
                row,
                state=outcome.request.state.value,
                due_at=due_at(outcome.request),
                version=row.version + 1,
                body=json.dumps(request_to_json(outcome.request)),
            )
            self._record(outcome, at)
        return outcome

    def _record(self, outcome: Outcome, at: datetime) -> None:
        request = outcome.request
        for effect in outcome.effects:
            if isinstance(effect, Audit):
                for event in audit_events(request, effect, at):
                    self._audit.append(event)
                continue
            self._last_effect_id += 1
            self._effects[self._last_effect_id] = _Effect(
                self._last_effect_id,
                request.id,
                effect_kind(effect),
                json.dumps(effect_to_json(effect)),
                utc(at),
                utc(at),
                0,
            )

    def exists(self, request_id: str) -> bool:
        with self._audit.lock:
            return request_id in self._requests

    def get(self, request_id: str) -> GrantRequest:
        with self._audit.lock:
            row = self._requests.get(request_id)
        if row is None:
            raise RequestNotFound(f"no request {request_id!r}; `sojourn requests` lists them")
        return request_from_json(json.loads(row.body))

    def requests(self, *, person: str | None = None, states: tuple[State, ...] = ()) -> list[GrantRequest]:
        wanted = {s.value for s in states}
        with self._audit.lock:
            rows = [
                r
                for r in self._requests.values()
                if (person is None or r.person == person) and (not wanted or r.state in wanted)
            ]
        return sorted((request_from_json(json.loads(r.body)) for r in rows), key=lambda r: r.requested_at)

    def due_requests(self, now: datetime, limit: int = 500) -> list[str]:
        with self._audit.lock:
            due = [(r.due_at, i) for i, r in self._requests.items() if r.due_at is not None]
        return [i for at, i in sorted(due, key=lambda pair: pair[0]) if at <= utc(now)][:limit]

    def next_due(self) -> datetime | None:
        with self._audit.lock:
            found = [r.due_at for r in self._requests.values() if r.due_at is not None]
            found += [e.next_at for e in self._effects.values() if e.done_at is None]
        return min(found) if found else None

    def claim_effects(
        self, now: datetime, owner: str, lease: timedelta, limit: int = 50
    ) -> list[ClaimedEffect]:
        """Effects due now whose lease ran out (or is our own, from before a restart), leased to `owner`."""
        at = utc(now)
        with self._transaction():
            due = sorted(
                (
                    e
                    for e in self._effects.values()
                    if e.done_at is None
                    and e.next_at <= at
                    and (e.lease_until is None or e.lease_until < at or e.lease_owner == owner)
                ),
                key=lambda e: (e.kind != REMOVALS_FIRST, e.next_at, e.id),
            )[:limit]
            for effect in due:
                self._effects[effect.id] = replace(effect, lease_owner=owner, lease_until=utc(now + lease))
        return [ClaimedEffect(e.id, e.request_id, e.kind, json.loads(e.body), e.attempts) for e in due]

    def renew_effects(self, ids: Collection[int], owner: str, now: datetime, lease: timedelta) -> set[int]:
        """Extend `owner`'s lease on the effects `ids` until now + lease; the ids it still holds."""
        held: set[int] = set()
        with self._transaction():
            for effect_id in ids:
                row = self._effects.get(effect_id)
                if row is not None and row.done_at is None and row.lease_owner == owner:
                    self._effects[effect_id] = replace(row, lease_until=utc(now + lease))
                    held.add(effect_id)
        return held

    def complete_effect(
        self,
        effect: ClaimedEffect,
        owner: str,
        at: datetime,
        follow_up: Callable[[GrantRequest], Outcome] | None = None,
    ) -> bool:
        """Mark the effect done (only while our lease holds) and run the follow-up transition with it."""
        with self._transaction():
            row = self._effects.get(effect.id)
            if row is None or row.done_at is not None or row.lease_owner != owner:
                return False
            self._effects[effect.id] = replace(
                row, done_at=utc(at), attempts=effect.attempts + 1, lease_until=None
            )
            if follow_up is not None:
                self._change(effect.request_id, follow_up, at)
            return True

    def fail_effect(
        self,
        effect: ClaimedEffect,
        owner: str,
        at: datetime,
        error: str,
        retry_at: datetime,
        follow_up: Callable[[GrantRequest], Outcome] | None = None,
    ) -> None:
        with self._transaction():
            row = self._effects.get(effect.id)
            if row is None or row.lease_owner != owner:
                return
            self._effects[effect.id] = replace(
                row,
                attempts=effect.attempts + 1,
                next_at=utc(retry_at),
                lease_until=None,
                last_error=error[:2000],
            )
            if follow_up is not None:
                self._change(effect.request_id, follow_up, at)

    def drop_effect(self, effect: ClaimedEffect, at: datetime, why: str) -> None:
        """Close an effect that no longer applies (e.g. provisioning for a request closed meanwhile)."""
        with self._transaction():
            row = self._effects.get(effect.id)
            if row is not None:
                self._effects[effect.id] = replace(
                    row, done_at=utc(at), lease_until=None, last_error=why[:2000]
                )

    def pending_effects(self) -> int:
        with self._audit.lock:
            return sum(1 for e in self._effects.values() if e.done_at is None)
