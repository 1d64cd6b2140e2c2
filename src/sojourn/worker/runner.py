"""The worker: at each tick, ask the store what is due now and do it, at least once and idempotently.

- requests due at T: unanswered ones expire, active grants end (their deprovisioning is queued);
- queued effects: provision (create the assignments), deprovision (remove the assignments that nothing
  else still needs, then end live sessions), notify; each completed together with its follow-up
  transition, each failure retried with backoff and, past the deadline, reported as overdue.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sojourn.access.changes import Action, AssignmentChange
from sojourn.access.state import Assignment, PrincipalType
from sojourn.clock import Clock
from sojourn.service.oncall import OnCallGrant
from sojourn.service.ports.provider import IdentityCenterGateway
from sojourn.store.grants import ClaimedEffect, DuplicateRequest, GrantStore
from sojourn.workflow.grant_request import HOLDS_ACCESS, GrantRequest, State
from sojourn.workflow.opening import open_on_call
from sojourn.workflow.transitions import Deprovisioned, Provisioned, ProvisionFailed, Tick, transition

log = logging.getLogger("sojourn.worker")
BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
Standing = Callable[[str], set[tuple[str, str]]]
"""person -> (account id, permission set) pairs that standing rules give them now."""
Notifier = Callable[[str, GrantRequest, tuple[str, ...]], None]
SessionRevoker = Callable[[str, list[tuple[str, datetime]], datetime], None]
"""(permission set, [(person, sessions issued before)], now): deny those live sessions."""


@dataclass
class Removal:
    effect: ClaimedEffect
    request: GrantRequest
    removed: tuple[str, ...]
    before: datetime
    errors: list[str]


@dataclass
class TickReport:
    closed: int = 0
    provisioned: int = 0
    deprovisioned: int = 0
    kept: int = 0
    failed: int = 0
    notified: int = 0
    overdue: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, counter: str, amount: int = 1) -> None:
        with self._lock:
            setattr(self, counter, getattr(self, counter) + amount)


class Worker:
    def __init__(
        self,
        grants: GrantStore,
        gateway: IdentityCenterGateway,
        clock: Clock,
        *,
        owner: str,
        standing: Standing = lambda person: set(),
        notify: Notifier | None = None,
        revoke_sessions: SessionRevoker | None = None,
        lease: timedelta = timedelta(minutes=2),
        checkpoint: Callable[[str], None] = lambda step: None,
        concurrency: int = 1,
        on_call: Callable[[datetime], list[OnCallGrant]] | None = None,
    ) -> None:
        self.on_call = on_call
        self.checkpoint = checkpoint
        self.concurrency = concurrency
        self.batch = max(50, concurrency * 8)
        self.grants, self.gateway, self.clock, self.owner = grants, gateway, clock, owner
        self.standing, self.notify, self.revoke_sessions, self.lease = (
            standing,
            notify,
            revoke_sessions,
            lease,
        )

    def tick(self) -> TickReport:
        report = TickReport()
        now = self.clock.now()
        if self.on_call is not None:
            for grant in self.on_call(now):
                self._hold(grant, now)
        for request_id in self.grants.due_requests(now):
            outcome = self.grants.change(request_id, lambda r: transition(r, Tick(), now), now)
            report.closed += outcome.request.state is not State.ACTIVE and bool(outcome.effects)
        while effects := self.grants.claim_effects(self.clock.now(), self.owner, self.lease, self.batch):
            removals: list[Removal] = []
            if self.concurrency == 1:
                for effect in effects:
                    self._perform(effect, report, removals)
            else:
                with ThreadPoolExecutor(self.concurrency) as pool:
                    list(pool.map(lambda e, found=removals: self._perform(e, report, found), effects))
            self._finish_removals(removals, report)
        return report

    def _provision(self, effect: ClaimedEffect, request: GrantRequest, report: TickReport) -> None:
        now = self.clock.now()
        if request.state is not State.APPROVED:
            self.grants.drop_effect(effect, now, f"request is {request.state.value}; nothing to provision")
            return
        self.gateway.forget_assignments()
        self.checkpoint("provision:before-aws")
        errors = self._assignments(request, tuple(effect.body["accounts"]), Action.CREATE)
        self.checkpoint("provision:after-aws")
        if not errors:
            self.grants.complete_effect(
                effect, self.owner, self.clock.now(), lambda r: transition(r, Provisioned(), self.clock.now())
            )
            self.checkpoint("provision:after-commit")
            report.add("provisioned")
            return
        report.add("failed")
        error = "; ".join(errors)
        retry = now + timedelta(seconds=BACKOFF[min(effect.attempts, len(BACKOFF) - 1)])
        self.grants.fail_effect(
            effect, self.owner, now, error, retry, lambda r: transition(r, ProvisionFailed(error), now)
        )

    def _hold(self, grant: OnCallGrant, now: datetime) -> None:
        """Open the on-call holder's grant once; a second worker racing to open it is harmless."""
        if self.grants.exists(grant.id):
            return
        outcome = open_on_call(
            grant.schedule,
            grant.person,
            grant.permission_set,
            grant.accounts,
            grant.start,
            grant.end,
            grant.id,
        )
        try:
            self.grants.open(outcome, now)
        except DuplicateRequest:
            log.info("on-call grant %s was opened by another worker", grant.id)

    def _perform(self, effect: ClaimedEffect, report: TickReport, removals: list[Removal]) -> None:
        request = self.grants.get(effect.request_id)
        if effect.kind == "deprovision":
            removals.append(self._remove(effect, request, report))
        elif effect.kind == "provision":
            self._provision(effect, request, report)
        else:
            self._notify(effect, request, report)

    def _remove(self, effect: ClaimedEffect, request: GrantRequest, report: TickReport) -> Removal:
        """Phase one of deprovisioning: remove the assignments nothing else needs (one effect)."""
        accounts = tuple(effect.body["accounts"])
        needed = self._still_needed(request, accounts)
        report.add("kept", len(needed))
        removed = tuple(a for a in accounts if a not in needed)
        self.checkpoint("deprovision:before-aws")
        errors = self._assignments(request, removed, Action.DELETE)
        before = datetime.fromisoformat(effect.body["revoke_sessions_before"])
        return Removal(effect, request, removed, before, errors)

    def _finish_removals(self, removals: list[Removal], report: TickReport) -> None:
        """Phase two: end live sessions, one policy update per permission set for the whole batch; record."""
        groups: dict[str, list[Removal]] = {}
        for removal in removals:
            if not removal.errors and removal.removed:
                groups.setdefault(removal.request.permission_set, []).append(removal)
        if self.revoke_sessions is not None:
            for permission_set, members in groups.items():
                people = [(m.request.person, m.before) for m in members]
                try:
                    self.revoke_sessions(permission_set, people, self.clock.now())
                except Exception as error:
                    for member in members:
                        member.errors.append(f"session revocation: {error}")
        self.checkpoint("deprovision:after-aws")
        for removal in removals:
            self._record_removal(removal, report)

    def _record_removal(self, removal: Removal, report: TickReport) -> None:
        now = self.clock.now()
        effect, request, errors = removal.effect, removal.request, removal.errors
        if not errors:
            follow = (lambda r: transition(r, Deprovisioned(), now)) if request.state in _CLOSED else None
            self.grants.complete_effect(effect, self.owner, now, follow)
            self.checkpoint("deprovision:after-commit")
            report.add("deprovisioned")
            return
        report.add("failed")
        deadline = request.ends_at if request.state is State.ENDED else request.closed_at
        if deadline is not None and now > deadline:
            report.overdue.append(request.id)
            if self.notify is not None:
                self.notify("overdue", request, ())
            log.error(
                "grant %s is %s past its end and still not removed: %s", request.id, now - deadline, errors
            )
        retry = now + timedelta(seconds=BACKOFF[min(effect.attempts, len(BACKOFF) - 1)])
        self.grants.fail_effect(effect, self.owner, now, "; ".join(errors), retry)

    def _still_needed(self, request: GrantRequest, accounts: tuple[str, ...]) -> set[str]:
        """Accounts where a standing rule or another live grant still justifies the same assignment."""
        standing = self.standing(request.person)
        needed = {a for a in accounts if (a, request.permission_set) in standing}
        for other in self.grants.requests(person=request.person, states=tuple(HOLDS_ACCESS)):
            if other.id != request.id and other.permission_set == request.permission_set:
                needed |= set(accounts) & set(other.accounts)
        return needed

    def _assignments(self, request: GrantRequest, accounts: tuple[str, ...], action: Action) -> list[str]:
        errors = []
        for account in accounts:
            assignment = Assignment(account, request.permission_set, PrincipalType.USER, request.person)
            outcome = self.gateway.apply_change(AssignmentChange(action, assignment))
            if not outcome.ok:
                errors.append(f"{account}: {outcome.detail}")
        return errors

    def _notify(self, effect: ClaimedEffect, request: GrantRequest, report: TickReport) -> None:
        if self.notify is not None:
            try:
                self.notify(str(effect.body["event"]), request, tuple(effect.body.get("to", ())))
            except Exception:
                log.exception("notification %s for %s failed", effect.body.get("event"), request.id)
        self.grants.complete_effect(effect, self.owner, self.clock.now())
        report.add("notified")


_CLOSED = frozenset({State.REVOKED, State.ENDED, State.FAILED})
