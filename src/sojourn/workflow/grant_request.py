"""A just-in-time request as a value, its states, and the events that move it.

Transitions are pure functions of (request, event, now) that return the next request and the effects the
service must perform (see transitions.py); they never read a clock or touch AWS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class State(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    """Approved (or auto-approved, or break-glass) and waiting for the assignment to exist in AWS."""
    DENIED = "denied"
    CANCELLED = "cancelled"
    EXPIRED_UNAPPROVED = "expired-unapproved"
    ACTIVE = "active"
    REVOKED = "revoked"
    ENDED = "ended"
    FAILED = "failed"


FINAL = frozenset(
    {State.DENIED, State.CANCELLED, State.EXPIRED_UNAPPROVED, State.REVOKED, State.ENDED, State.FAILED}
)
HOLDS_ACCESS = frozenset({State.APPROVED, State.ACTIVE})


@dataclass(frozen=True, slots=True)
class Decision:
    approver: str
    approve: bool
    comment: str
    at: datetime


@dataclass(frozen=True, slots=True)
class GrantRequest:
    id: str
    person: str
    permission_set: str
    accounts: tuple[str, ...]
    duration: timedelta
    reason: str
    requested_at: datetime
    answer_by: datetime
    """A request nobody answers by then expires."""
    approvers: frozenset[str]
    approvals_required: int = 1
    ticket: str | None = None
    break_glass: bool = False
    source: str = "request"
    """"request", "break-glass", "auto" (auto-approved) or "on-call"."""
    state: State = State.PENDING
    decisions: tuple[Decision, ...] = ()
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    provision_attempts: int = 0
    closed_at: datetime | None = None
    closed_by: str | None = None
    close_reason: str | None = None
    revoked_in_aws_at: datetime | None = None
    until: datetime | None = None
    """A fixed end (on-call shifts end at the hand-over, whenever provisioning finished)."""
    """When the assignment was confirmed gone; set by the worker after revocation or expiry."""

    def approvals(self) -> frozenset[str]:
        return frozenset(d.approver for d in self.decisions if d.approve)
