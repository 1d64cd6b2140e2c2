"""Use cases of just-in-time access: what may I ask for, request, approve, deny, cancel, revoke, extend.

Each use case loads the request under a lock, runs the pure transition and stores the result with its
audit records and queued effects (the grant repository of service/ports/grants.py); the worker performs
the effects.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from sojourn.access.config import AccessConfig
from sojourn.access.eligibility import resolve_eligibility
from sojourn.access.organization import Organization
from sojourn.clock import Clock
from sojourn.service.ports.grants import GrantRepository
from sojourn.service.ports.schedule import OnCallSource
from sojourn.workflow.grant_request import GrantRequest, State
from sojourn.workflow.opening import Ask, Eligibility, NotEligible, choose, open_request
from sojourn.workflow.transitions import Approve, Cancel, Deny, Extend, IllegalTransition, Revoke, transition


@dataclass(frozen=True, slots=True)
class Directory:
    """The configuration and the organisation, as of now: who is who, and which account is which."""

    config: AccessConfig
    organization: Organization

    def account_ids(self, names_or_ids: tuple[str, ...]) -> tuple[str, ...]:
        by_name = self.organization.by_name()
        ids = {a.id for a in self.organization.accounts}
        found = []
        for value in names_or_ids:
            if value in ids:
                found.append(value)
            elif value in by_name:
                found.append(by_name[value].id)
            else:
                raise NotEligible(f"no account {value!r} in the organisation; give its name or 12-digit id")
        return tuple(found)


class JitService:
    def __init__(
        self,
        grants: GrantRepository,
        clock: Clock,
        directory: Callable[[], Directory],
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex[:12],
        on_call: OnCallSource | None = None,
    ) -> None:
        self.grants, self.clock, self.directory, self.new_id = grants, clock, directory, new_id
        self.on_call = on_call

    def eligible(self, person: str) -> list[Eligibility]:
        found = self.directory()
        self._known(found, person)
        return resolve_eligibility(found.config, found.organization, person, self.clock.now().date())

    def request(
        self,
        person: str,
        permission_set: str,
        accounts: tuple[str, ...],
        duration: timedelta,
        reason: str,
        ticket: str | None = None,
        break_glass: bool = False,
    ) -> GrantRequest:
        found = self.directory()
        self._known(found, person)
        now = self.clock.now()
        ask = Ask(person, permission_set, found.account_ids(accounts), duration, reason, ticket, break_glass)
        rules = self._on_call_approval(
            resolve_eligibility(found.config, found.organization, person, now.date()), person
        )
        outcome = open_request(ask, choose(ask, rules), self.new_id(), now)
        return self.grants.open(outcome, now)

    def _on_call_approval(self, rules: list[Eligibility], person: str) -> list[Eligibility]:
        """Rules that auto-approve the on-call holder do so while the requester is on call."""
        if self.on_call is None or not any(r.terms.auto_approve_on_call for r in rules):
            return rules
        on_call_now = {(g.schedule, g.person) for g in self.on_call(self.clock.now())}
        return [
            replace(r, terms=replace(r.terms, auto_approve=True))
            if (r.terms.auto_approve_on_call, person) in on_call_now
            else r
            for r in rules
        ]

    def approve(self, request_id: str, approver: str, comment: str = "") -> GrantRequest:
        now = self.clock.now()
        return self.grants.change(
            request_id, lambda r: transition(r, Approve(approver, comment), now), now
        ).request

    def deny(self, request_id: str, approver: str, comment: str = "") -> GrantRequest:
        now = self.clock.now()
        return self.grants.change(
            request_id, lambda r: transition(r, Deny(approver, comment), now), now
        ).request

    def cancel(self, request_id: str, by: str) -> GrantRequest:
        now = self.clock.now()
        return self.grants.change(request_id, lambda r: transition(r, Cancel(by), now), now).request

    def revoke(self, request_id: str, by: str, reason: str, *, admin: bool = False) -> GrantRequest:
        now = self.clock.now()
        step = Revoke(by, reason, admin)
        return self.grants.change(request_id, lambda r: transition(r, step, now), now).request

    def extend(self, request_id: str, by: str, extra: timedelta, *, admin: bool = False) -> GrantRequest:
        now = self.clock.now()
        request = self.grants.get(request_id)
        rules = [
            e.terms for e in self.eligible(request.person) if e.terms.permission_set == request.permission_set
        ]
        if not rules:
            raise IllegalTransition(f"{request.person} is no longer eligible for {request.permission_set}")
        limit = max(e.max_duration for e in rules)
        step = Extend(by, extra, limit, admin)
        return self.grants.change(request_id, lambda r: transition(r, step, now), now).request

    def get(self, request_id: str) -> GrantRequest:
        return self.grants.get(request_id)

    def requests(self, person: str | None = None, states: tuple[State, ...] = ()) -> list[GrantRequest]:
        return self.grants.requests(person=person, states=states)

    @staticmethod
    def _known(found: Directory, person: str) -> None:
        if person not in found.config.people:
            raise NotEligible(f"{person!r} is not a person of the configuration")
