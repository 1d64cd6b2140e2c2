"""The grant repository: just-in-time requests and their queued effects (an outbox), as use cases see them.

Every change goes through `change`: the request is locked, the pure transition runs, and the new state, its
audit records and its queued effects are stored together. The worker claims due effects with a lease and
completes or fails each one together with its follow-up transition.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import Protocol

from sojourn.workflow.grant_request import GrantRequest, State
from sojourn.workflow.outbox import ClaimedEffect, DuplicateRequest, RequestNotFound
from sojourn.workflow.transitions import Outcome

__all__ = ["ClaimedEffect", "DuplicateRequest", "GrantRepository", "RequestNotFound", "Step"]
Step = Callable[[GrantRequest], Outcome]
"""A pure transition of one request (see workflow/transitions.py)."""


class GrantRepository(Protocol):
    """What the just-in-time use cases and the worker need of the store."""

    def open(self, outcome: Outcome, at: datetime) -> GrantRequest:
        """Store a new request with its audit records and effects; DuplicateRequest if its id is taken."""
        ...

    def change(self, request_id: str, step: Step, at: datetime) -> Outcome:
        """Lock the request, run `step`, store the result with its audit records and effects."""
        ...

    def exists(self, request_id: str) -> bool: ...

    def get(self, request_id: str) -> GrantRequest:
        """The request; RequestNotFound if there is none."""
        ...

    def requests(self, *, person: str | None = None, states: tuple[State, ...] = ()) -> list[GrantRequest]:
        """Requests, oldest first, optionally of one person and in some states."""
        ...

    def due_requests(self, now: datetime, limit: int = 500) -> list[str]:
        """Ids of requests whose answer or end is due at `now`."""
        ...

    def claim_effects(
        self, now: datetime, owner: str, lease: timedelta, limit: int = 50
    ) -> list[ClaimedEffect]:
        """Effects due now whose lease ran out (or is `owner`'s own), leased to `owner`: every due removal
        of access (`REMOVALS_FIRST` in workflow/effect_codec.py) before anything else, then the oldest
        first (a grant's end is the promise; a new grant can wait for it)."""
        ...

    def renew_effects(self, ids: Collection[int], owner: str, now: datetime, lease: timedelta) -> set[int]:
        """Extend `owner`'s lease on the effects `ids` until now + lease; the ids it still holds (not done,
        not taken over by another owner after its lease ran out)."""
        ...

    def complete_effect(
        self, effect: ClaimedEffect, owner: str, at: datetime, follow_up: Step | None = None
    ) -> bool:
        """Mark the effect done while `owner`'s lease holds, with the follow-up transition; False if not."""
        ...

    def fail_effect(
        self,
        effect: ClaimedEffect,
        owner: str,
        at: datetime,
        error: str,
        retry_at: datetime,
        follow_up: Step | None = None,
    ) -> None:
        """Record a failed attempt, to be retried at `retry_at`, with the follow-up transition."""
        ...

    def drop_effect(self, effect: ClaimedEffect, at: datetime, why: str) -> None:
        """Close an effect that no longer applies."""
        ...
