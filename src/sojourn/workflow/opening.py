"""Opening a request: what the person may ask for (eligibility), checked, and turned into the first state."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sojourn.inputs.patterns import compile_pattern
from sojourn.workflow.effects import Audit, Effect, Notify, Provision
from sojourn.workflow.grant_request import GrantRequest, State
from sojourn.workflow.transitions import IllegalTransition, Outcome


@dataclass(frozen=True, slots=True)
class Terms:
    """What an eligibility rule offers and how a request under it is handled, configured or resolved alike."""

    rule: str
    permission_set: str
    max_duration: timedelta
    approvals_required: int = 1
    reason_required: bool = True
    ticket_pattern: str | None = None
    auto_approve: bool = False
    answer_within: timedelta = timedelta(hours=24)
    break_glass: bool = False
    notify: tuple[str, ...] = ()
    auto_approve_on_call: str | None = None
    """Approved at once when the requester is on call in this schedule right now."""


@dataclass(frozen=True, slots=True)
class Eligibility:
    """One eligibility rule resolved for one person: its terms, and the accounts and approvers by name."""

    terms: Terms
    accounts: frozenset[str]
    approvers: frozenset[str]


@dataclass(frozen=True, slots=True)
class Ask:
    person: str
    permission_set: str
    accounts: tuple[str, ...]
    duration: timedelta
    reason: str
    ticket: str | None = None
    break_glass: bool = False


class NotEligible(IllegalTransition):
    """The person may not request this (permission set, account, duration, missing reason or ticket)."""


def choose(ask: Ask, eligible: list[Eligibility]) -> Eligibility:
    """The rule that covers the whole ask; the most permissive one that needs the fewest approvals."""
    candidates = [
        e
        for e in eligible
        if e.terms.permission_set == ask.permission_set
        and e.terms.break_glass == ask.break_glass
        and set(ask.accounts) <= e.accounts
    ]
    if not candidates:
        kind = "break-glass access" if ask.break_glass else "a request"
        raise NotEligible(
            f"{ask.person} is not eligible for {kind} of {ask.permission_set} on {', '.join(ask.accounts)}; "
            "`sojourn eligible` lists what you may ask for"
        )
    return sorted(candidates, key=lambda e: _permissiveness(e.terms))[0]


def _permissiveness(terms: Terms) -> tuple[bool, int, timedelta]:
    return (not terms.auto_approve, terms.approvals_required, -terms.max_duration)


def open_request(ask: Ask, eligibility: Eligibility, request_id: str, now: datetime) -> Outcome:
    rule = eligibility.terms
    _check(ask, rule)
    approvers = eligibility.approvers - {ask.person}
    base = GrantRequest(
        id=request_id,
        person=ask.person,
        permission_set=ask.permission_set,
        accounts=tuple(sorted(set(ask.accounts))),
        duration=ask.duration,
        reason=ask.reason,
        requested_at=now,
        answer_by=now + rule.answer_within,
        approvers=approvers,
        approvals_required=rule.approvals_required,
        ticket=ask.ticket,
        break_glass=ask.break_glass,
    )
    opened: list[Effect] = [Audit("request", ask.person, ask.reason)]
    if ask.break_glass or rule.auto_approve:
        source = "break-glass" if ask.break_glass else "auto"
        granted = replace(base, state=State.APPROVED, source=source)
        kind = "break_glass" if ask.break_glass else "approved"
        opened += [
            Audit(source, "sojourn", rule.rule),
            Provision(granted.id, ask.person, ask.permission_set, granted.accounts),
        ]
        opened.append(Notify(kind, granted.id, rule.notify))
        return Outcome(granted, tuple(opened))
    if len(approvers) < rule.approvals_required:
        raise NotEligible(
            f"rule {rule.rule} needs {rule.approvals_required} approver(s) other than {ask.person}, "
            f"but only {len(approvers)} can approve"
        )
    opened.append(Notify("request", base.id, tuple(sorted(approvers))))
    return Outcome(base, tuple(opened))


def _check(ask: Ask, rule: Terms) -> None:
    if ask.duration <= timedelta(0):
        raise NotEligible("the duration must be longer than zero, e.g. --for 2h")
    if ask.duration > rule.max_duration:
        raise NotEligible(
            f"{ask.duration} is longer than the {rule.max_duration} that rule {rule.rule} allows"
        )
    if rule.reason_required and not ask.reason.strip():
        raise NotEligible(f"rule {rule.rule} requires a reason; add --reason")
    if rule.ticket_pattern is not None:
        if not ask.ticket:
            raise NotEligible(
                f"rule {rule.rule} requires a ticket matching {rule.ticket_pattern}; add --ticket"
            )
        if not compile_pattern(rule.ticket_pattern).matches_whole(ask.ticket):
            raise NotEligible(f"ticket {ask.ticket!r} does not match {rule.ticket_pattern}")
    if not ask.accounts:
        raise NotEligible("name at least one account")


def open_on_call(
    schedule: str,
    person: str,
    permission_set: str,
    accounts: tuple[str, ...],
    start: datetime,
    end: datetime,
    request_id: str,
) -> Outcome:
    """The on-call holder's grant for exactly the shift (widened by the margin), approved by the rotation."""
    request = GrantRequest(
        id=request_id,
        person=person,
        permission_set=permission_set,
        accounts=tuple(sorted(set(accounts))),
        duration=end - start,
        reason=f"on call: {schedule}",
        requested_at=start,
        answer_by=end,
        approvers=frozenset(),
        state=State.APPROVED,
        source="on-call",
        until=end,
    )
    effects: tuple[Effect, ...] = (
        Audit("on-call", "sojourn", f"rotation {schedule} until {end.isoformat()}"),
        Provision(request_id, person, permission_set, request.accounts),
        Notify("granted", request_id),
    )
    return Outcome(request, effects)
