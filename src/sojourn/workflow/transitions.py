"""The request state machine: transition(request, event, now) -> (next request, effects).

Illegal moves raise; nothing is ignored silently. Who the actor is has been established by the caller
(authentication); whether the actor may act is decided here (never the requester as approver).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sojourn.workflow.effects import Audit, Deprovision, Effect, Notify, Provision
from sojourn.workflow.grant_request import FINAL, Decision, GrantRequest, State

MAX_PROVISION_ATTEMPTS = 5


class IllegalTransition(Exception):
    """The event does not apply to the request in its current state, or the actor may not do it."""


class SelfApproval(IllegalTransition):
    """Nobody approves (or extends) their own request, whatever their role."""


@dataclass(frozen=True, slots=True)
class Approve:
    approver: str
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Deny:
    approver: str
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Cancel:
    by: str


@dataclass(frozen=True, slots=True)
class Provisioned:
    pass


@dataclass(frozen=True, slots=True)
class ProvisionFailed:
    error: str


@dataclass(frozen=True, slots=True)
class Revoke:
    by: str
    reason: str
    admin: bool = False


@dataclass(frozen=True, slots=True)
class Extend:
    by: str
    extra: timedelta
    max_total: timedelta
    admin: bool = False


@dataclass(frozen=True, slots=True)
class Tick:
    """Time has passed: unanswered requests expire, active grants end."""


@dataclass(frozen=True, slots=True)
class Deprovisioned:
    pass


Event = Approve | Deny | Cancel | Provisioned | ProvisionFailed | Revoke | Extend | Tick | Deprovisioned


@dataclass(frozen=True, slots=True)
class Outcome:
    request: GrantRequest
    effects: tuple[Effect, ...]


def _provision(r: GrantRequest) -> Provision:
    return Provision(r.id, r.person, r.permission_set, r.accounts)


def _deprovision(r: GrantRequest, before: datetime) -> Deprovision:
    return Deprovision(r.id, r.person, r.permission_set, r.accounts, before)


def _require(request: GrantRequest, event: Event, *states: State) -> None:
    if request.state not in states:
        allowed = ", ".join(s.value for s in states)
        raise IllegalTransition(
            f"{type(event).__name__.lower()} does not apply to request {request.id} in state "
            f"{request.state.value} (only in: {allowed})"
        )


def transition(request: GrantRequest, event: Event, now: datetime) -> Outcome:
    handler = _HANDLERS[type(event)]
    return handler(request, event, now)


def _approve(r: GrantRequest, event: Event, now: datetime) -> Outcome:
    assert isinstance(event, Approve)
    _require(r, event, State.PENDING)
    _may_decide(r, event.approver, now)
    decisions = (*r.decisions, Decision(event.approver, True, event.comment, now))
    approved = replace(r, decisions=decisions)
    audit = Audit("approve", event.approver, event.comment)
    if len(approved.approvals()) < r.approvals_required:
        return Outcome(approved, (audit,))
    waiting = tuple(sorted(r.approvers - approved.approvals() - {r.person}))
    effects: list[Effect] = [audit, _provision(r), Notify("approved", r.id)]
    if waiting:
        effects.append(Notify("other_approver_acted", r.id, waiting))
    return Outcome(replace(approved, state=State.APPROVED), tuple(effects))


def _deny(r: GrantRequest, event: Event, now: datetime) -> Outcome:
    assert isinstance(event, Deny)
    _require(r, event, State.PENDING)
    _may_decide(r, event.approver, now)
    decisions = (*r.decisions, Decision(event.approver, False, event.comment, now))
    denied = replace(
        r,
        state=State.DENIED,
        decisions=decisions,
        closed_at=now,
        closed_by=event.approver,
        close_reason=event.comment,
    )
    waiting = tuple(sorted(r.approvers - {event.approver, r.person}))
    effects: list[Effect] = [Audit("deny", event.approver, event.comment), Notify("denied", r.id)]
    if waiting:
        effects.append(Notify("other_approver_acted", r.id, waiting))
    return Outcome(denied, tuple(effects))


def _may_decide(r: GrantRequest, approver: str, now: datetime) -> None:
    if approver == r.person:
        raise SelfApproval(f"{approver} cannot approve or deny their own request {r.id}")
    if approver not in r.approvers:
        raise IllegalTransition(f"{approver} is not an approver of request {r.id}")
    if any(d.approver == approver for d in r.decisions):
        raise IllegalTransition(f"{approver} has already answered request {r.id}")
    if now >= r.answer_by:
        raise IllegalTransition(f"request {r.id} was not answered in time and has expired")


def _cancel(r: GrantRequest, event: Event, now: datetime) -> Outcome:
    assert isinstance(event, Cancel)
    _require(r, event, State.PENDING)
    if event.by != r.person:
        raise IllegalTransition(f"only {r.person} can cancel request {r.id}; approvers deny it")
    cancelled = replace(r, state=State.CANCELLED, closed_at=now, closed_by=event.by, close_reason="cancelled")
    return Outcome(
        cancelled, (Audit("cancel", event.by, "cancelled by the requester"), Notify("cancelled", r.id))
    )


def _provisioned(r: GrantRequest, event: Event, now: datetime) -> Outcome:
    assert isinstance(event, Provisioned)
    if r.state in (State.REVOKED, State.ENDED, State.FAILED):
        # Provisioning finished after the grant was closed: take it away again.
        return Outcome(r, (_deprovision(r, r.closed_at or now),))
    _require(r, event, State.APPROVED)
    active = replace(r, state=State.ACTIVE, starts_at=now, ends_at=r.until or now + r.duration)
    reason = f"until {active.ends_at.isoformat() if active.ends_at else ''}"
    return Outcome(active, (Audit("grant", "sojourn", reason), Notify("granted", r.id)))


def _provision_failed(r: GrantRequest, event: Event, now: datetime) -> Outcome:
    assert isinstance(event, ProvisionFailed)
    _require(r, event, State.APPROVED)
    attempts = r.provision_attempts + 1
    if attempts < MAX_PROVISION_ATTEMPTS:
        retry = replace(r, provision_attempts=attempts)
        return Outcome(retry, (Audit("provision-retry", "sojourn", event.error),))
    failed = replace(
        r,
        state=State.FAILED,
        provision_attempts=attempts,
        closed_at=now,
        closed_by="sojourn",
        close_reason=event.error,
    )
    effects = (
        Audit("provision-failed", "sojourn", event.error),
        _deprovision(r, now),
        Notify("failure", r.id),
    )
    return Outcome(failed, effects)


def _revoke(r: GrantRequest, event: Event, now: datetime) -> Outcome:
    assert isinstance(event, Revoke)
    _require(r, event, State.APPROVED, State.ACTIVE)
    if not (event.admin or event.by == r.person or event.by in r.approvers):
        raise IllegalTransition(
            f"{event.by} may not revoke request {r.id}: only the holder, an approver or an admin"
        )
    revoked = replace(r, state=State.REVOKED, closed_at=now, closed_by=event.by, close_reason=event.reason)
    effects = (Audit("revoke", event.by, event.reason), _deprovision(r, now), Notify("revoked", r.id))
    return Outcome(revoked, effects)


def _extend(r: GrantRequest, event: Event, now: datetime) -> Outcome:
    assert isinstance(event, Extend)
    _require(r, event, State.ACTIVE)
    if event.by == r.person:
        raise SelfApproval(f"{event.by} cannot extend their own grant {r.id}; ask an approver")
    if not (event.admin or event.by in r.approvers):
        raise IllegalTransition(f"{event.by} may not extend request {r.id}: only an approver or an admin")
    assert r.starts_at is not None and r.ends_at is not None
    if event.extra <= timedelta(0):
        raise IllegalTransition("an extension must be longer than zero")
    ends_at = r.ends_at + event.extra
    if ends_at - r.starts_at > event.max_total:
        raise IllegalTransition(f"the grant would last longer than the allowed {event.max_total}")
    extended = replace(r, ends_at=ends_at, duration=ends_at - r.starts_at)
    return Outcome(
        extended, (Audit("extend", event.by, f"until {ends_at.isoformat()}"), Notify("extended", r.id))
    )


def _tick(r: GrantRequest, event: Event, now: datetime) -> Outcome:
    if r.state is State.PENDING and now >= r.answer_by:
        expired = replace(
            r, state=State.EXPIRED_UNAPPROVED, closed_at=now, closed_by="sojourn", close_reason="no answer"
        )
        return Outcome(
            expired, (Audit("expire-unapproved", "sojourn", "nobody answered"), Notify("expired", r.id))
        )
    if r.state is State.ACTIVE and r.ends_at is not None and now >= r.ends_at:
        ended = replace(r, state=State.ENDED, closed_at=now, closed_by="sojourn", close_reason="expired")
        effects = (
            Audit("expire", "sojourn", "the window ended"),
            _deprovision(r, r.ends_at),
            Notify("expired", r.id),
        )
        return Outcome(ended, effects)
    return Outcome(r, ())


def _deprovisioned(r: GrantRequest, event: Event, now: datetime) -> Outcome:
    assert isinstance(event, Deprovisioned)
    if r.state not in FINAL:
        raise IllegalTransition(f"request {r.id} is {r.state.value}; only a closed grant is taken away")
    return Outcome(replace(r, revoked_in_aws_at=r.revoked_in_aws_at or now), ())


_HANDLERS = {
    Approve: _approve,
    Deny: _deny,
    Cancel: _cancel,
    Provisioned: _provisioned,
    ProvisionFailed: _provision_failed,
    Revoke: _revoke,
    Extend: _extend,
    Tick: _tick,
    Deprovisioned: _deprovisioned,
}
