"""Provisioning use cases: perform one queued effect of a grant, one use case per effect kind.

- provision: create the grant's assignments, then record it active (or the failure, retried with backoff);
- deprovision: remove the assignments nothing else still needs, read each removal back from the cloud (and
  remove again what is still there), end live sessions (one policy update per permission set for a whole
  batch), record it; past the grant's end every failed attempt is reported as overdue;
- notify: hand the event to the notifier and record it done (a failed notification is logged, not retried);
- on-call: open the holder's grant for a shift once.

Provisioning and deprovisioning hold the claims on the grant's assignments (service/claiming.py), so no
other thread or worker changes the same (person, account, permission set) in between. Any error, from the
cloud (network, throttling) or the store (locked, gone), fails the one effect, which is retried with
backoff; it never escapes to stop the worker.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sojourn.access.changes import Action, AssignmentChange
from sojourn.access.state import Assignment, PrincipalType
from sojourn.clock import Clock
from sojourn.service.claiming import ClaimHolder, Hold
from sojourn.service.ports.grants import ClaimedEffect, DuplicateRequest, GrantRepository
from sojourn.service.ports.notifier import Notifier
from sojourn.service.ports.provider import Provider
from sojourn.service.ports.schedule import OnCallGrant
from sojourn.workflow.effect_codec import EffectDecodeError, effect_from_json
from sojourn.workflow.effects import Deprovision, Notify, Provision
from sojourn.workflow.grant_request import HOLDS_ACCESS, GrantRequest, State
from sojourn.workflow.opening import open_on_call
from sojourn.workflow.transitions import Deprovisioned, Provisioned, ProvisionFailed, transition

log = logging.getLogger("sojourn.worker")
BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
DEPROVISION_BACKOFF = (1.0, 2.0, 5.0)
"""Taking access away is retried sooner: every second of delay is access kept past its end."""
READ_BACK_ROUNDS = 3
Standing = Callable[[str], set[tuple[str, str]]]
"""person -> (account id, permission set) pairs that standing rules give them now."""
SessionRevoker = Callable[[str, list[tuple[str, datetime]], datetime], None]
"""(permission set, [(person, sessions issued before)], now): deny those live sessions."""
Checkpoint = Callable[[str], None]
"""Called at each step of provisioning with the step's name (crash drills stop the process there)."""
_CLOSED = frozenset({State.REVOKED, State.ENDED, State.FAILED})
BUSY = "another worker is changing the same assignment; tried again shortly"


@dataclass
class TickReport:
    """What one tick of the worker did."""

    closed: int = 0
    provisioned: int = 0
    deprovisioned: int = 0
    kept: int = 0
    failed: int = 0
    notified: int = 0
    overdue: list[str] = field(default_factory=list)
    scheduled: int = 0
    """Steps taken by scheduled jobs (key rotations moved)."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, counter: str, amount: int = 1) -> None:
        with self._lock:
            setattr(self, counter, getattr(self, counter) + amount)


@dataclass
class Provisioning:
    """The collaborators every provisioning use case works with (shared, so a later `notify` reaches all)."""

    grants: GrantRepository
    provider: Provider
    clock: Clock
    owner: str
    holder: ClaimHolder
    """The claims on assignments this worker holds while it changes them."""
    standing: Standing = lambda person: set()
    notify: Notifier | None = None
    revoke_sessions: SessionRevoker | None = None
    checkpoint: Checkpoint = lambda step: None

    def retry_at(self, effect: ClaimedEffect, now: datetime) -> datetime:
        steps = DEPROVISION_BACKOFF if effect.kind == "deprovision" else BACKOFF
        return now + timedelta(seconds=steps[min(effect.attempts, len(steps) - 1)])

    def report_overdue(
        self, request: GrantRequest, now: datetime, errors: list[str], report: TickReport
    ) -> None:
        """Past the grant's end and still not removed: say so (report, notification, log) at every attempt."""
        deadline = request.ends_at if request.state is State.ENDED else request.closed_at
        if deadline is None or now <= deadline:
            return
        report.overdue.append(request.id)
        log.error("grant %s is %s past its end and still not removed: %s", request.id, now - deadline, errors)
        if self.notify is not None:
            try:
                self.notify("overdue", request, ())
            except Exception:
                log.exception("the overdue notification for %s failed", request.id)

    def trouble(
        self, claimed: ClaimedEffect, request: GrantRequest | None, error: Exception, report: TickReport
    ) -> None:
        """An error no use case turned into an outcome: log it, report it, retry the effect with backoff."""
        now = self.clock.now()
        why = describe(error)
        log.error("effect %s of request %s failed: %s", claimed.id, claimed.request_id, why)
        report.add("failed")
        if request is not None and claimed.kind == "deprovision":
            self.report_overdue(request, now, [why], report)
        try:
            self.grants.fail_effect(claimed, self.owner, now, why, self.retry_at(claimed, now))
        except Exception as again:  # the store is away too: the lease is ours, the next tick takes it back
            log.error("effect %s could not be put off either: %s", claimed.id, describe(again))

    def assignments(
        self, request: GrantRequest, accounts: tuple[str, ...], action: Action, hold: Hold
    ) -> list[str]:
        """Create or delete the request's assignment on each account; the errors, one per failed account.
        ClaimLost when another worker took the claims meanwhile (nothing more is changed then)."""
        errors = []
        for account in accounts:
            hold.ensure()
            assignment = Assignment(account, request.permission_set, PrincipalType.USER, request.person)
            outcome = self.provider.apply_change(AssignmentChange(action, assignment))
            if not outcome.ok:
                errors.append(f"{account}: {outcome.detail}")
        return errors


@dataclass
class Removal:
    """A deprovisioning whose assignments are removed (or that failed) and whose sessions are still to be
    ended."""

    effect: ClaimedEffect
    request: GrantRequest
    removed: tuple[str, ...]
    before: datetime
    errors: list[str]


class ProvisionGrant:
    """Create an approved grant's assignments and record it active; a failure is retried with backoff."""

    def __init__(self, context: Provisioning) -> None:
        self.context = context

    def __call__(
        self, claimed: ClaimedEffect, effect: Provision, request: GrantRequest, report: TickReport
    ) -> None:
        c = self.context
        now = c.clock.now()
        if request.state is not State.APPROVED:
            c.grants.drop_effect(claimed, now, f"request is {request.state.value}; nothing to provision")
            return
        with c.holder.holding(request.person, request.permission_set, effect.accounts) as held:
            if held.granted:
                c.provider.forget_assignments()
                c.checkpoint("provision:before-aws")
                errors = c.assignments(request, effect.accounts, Action.CREATE, held)
                c.checkpoint("provision:after-aws")
            else:
                errors = [BUSY]
        if errors == [BUSY]:
            report.add("failed")
            c.grants.fail_effect(claimed, c.owner, now, BUSY, now + timedelta(seconds=BACKOFF[0]))
            return
        if not errors:
            c.grants.complete_effect(
                claimed, c.owner, c.clock.now(), lambda r: transition(r, Provisioned(), c.clock.now())
            )
            c.checkpoint("provision:after-commit")
            report.add("provisioned")
            return
        report.add("failed")
        error = "; ".join(errors)
        c.grants.fail_effect(
            claimed,
            c.owner,
            now,
            error,
            c.retry_at(claimed, now),
            lambda r: transition(r, ProvisionFailed(error), now),
        )


class DeprovisionGrant:
    """Remove a grant's assignments that nothing else needs, end live sessions in batches, record it."""

    def __init__(self, context: Provisioning) -> None:
        self.context = context

    def remove(
        self, claimed: ClaimedEffect, effect: Deprovision, request: GrantRequest, report: TickReport
    ) -> Removal:
        """Phase one, per effect, under the claims: remove the assignments no standing rule or other live
        grant justifies, and read them back."""
        c = self.context
        before = effect.revoke_sessions_before
        try:
            with c.holder.holding(request.person, request.permission_set, effect.accounts) as held:
                if not held.granted:
                    return Removal(claimed, request, (), before, [BUSY])
                needed = self.still_needed(request, effect.accounts)
                report.add("kept", len(needed))
                removed = tuple(a for a in effect.accounts if a not in needed)
                c.checkpoint("deprovision:before-aws")
                errors = c.assignments(request, removed, Action.DELETE, held) or self.read_back(
                    request, removed, held
                )
        except Exception as error:  # the cloud or the store failed outside an outcome: retried
            return Removal(claimed, request, (), before, [describe(error)])
        return Removal(claimed, request, removed, before, errors)

    def read_back(self, request: GrantRequest, accounts: tuple[str, ...], hold: Hold) -> list[str]:
        """Ask the cloud whether each removed assignment is gone; remove again what is still there (a
        duplicate, or a create that landed late). The errors, one per account still holding it."""
        c, errors = self.context, []
        for account in accounts:
            assignment = Assignment(account, request.permission_set, PrincipalType.USER, request.person)
            for _ in range(READ_BACK_ROUNDS):
                if not c.provider.assignment_exists(assignment):
                    break
                log.warning("%s still holds %s after its removal; removing it again", request.id, assignment)
                hold.ensure()
                c.provider.apply_change(AssignmentChange(Action.DELETE, assignment))
            else:
                errors.append(f"{account}: still assigned after {READ_BACK_ROUNDS} removals")
        return errors

    def finish(self, removals: list[Removal], report: TickReport) -> None:
        """Phase two, per batch: end live sessions, one policy update per permission set; record each."""
        c = self.context
        groups: dict[str, list[Removal]] = {}
        for removal in removals:
            if not removal.errors and removal.removed:
                groups.setdefault(removal.request.permission_set, []).append(removal)
        if c.revoke_sessions is not None:
            for permission_set, members in groups.items():
                people = [(m.request.person, m.before) for m in members]
                try:
                    c.revoke_sessions(permission_set, people, c.clock.now())
                except Exception as error:
                    for member in members:
                        member.errors.append(f"session revocation: {error}")
        c.checkpoint("deprovision:after-aws")
        for removal in removals:
            try:
                self._record(removal, report)
            except Exception as error:  # the store failed: the effect stays ours and is taken up again
                c.trouble(removal.effect, None, error, report)

    def still_needed(self, request: GrantRequest, accounts: tuple[str, ...]) -> set[str]:
        """Accounts where a standing rule or another live grant still justifies the same assignment."""
        c = self.context
        standing = c.standing(request.person)
        needed = {a for a in accounts if (a, request.permission_set) in standing}
        for other in c.grants.requests(person=request.person, states=tuple(HOLDS_ACCESS)):
            if other.id != request.id and other.permission_set == request.permission_set:
                needed |= set(accounts) & set(other.accounts)
        return needed

    def _record(self, removal: Removal, report: TickReport) -> None:
        c = self.context
        now = c.clock.now()
        effect, request, errors = removal.effect, removal.request, removal.errors
        if not errors:
            follow = (lambda r: transition(r, Deprovisioned(), now)) if request.state in _CLOSED else None
            c.grants.complete_effect(effect, c.owner, now, follow)
            c.checkpoint("deprovision:after-commit")
            report.add("deprovisioned")
            return
        report.add("failed")
        c.report_overdue(request, now, errors, report)
        retry_at = now + timedelta(seconds=BACKOFF[0]) if errors == [BUSY] else c.retry_at(effect, now)
        c.grants.fail_effect(effect, c.owner, now, "; ".join(errors), retry_at)


class DeliverNotification:
    """Hand the event to the notifier and record it done; a failed delivery is logged, never retried here."""

    def __init__(self, context: Provisioning) -> None:
        self.context = context

    def __call__(
        self, claimed: ClaimedEffect, effect: Notify, request: GrantRequest, report: TickReport
    ) -> None:
        c = self.context
        if c.notify is not None:
            try:
                c.notify(effect.kind, request, effect.to)
            except Exception:
                log.exception("notification %s for %s failed", effect.kind, request.id)
        c.grants.complete_effect(claimed, c.owner, c.clock.now())
        report.add("notified")


class HoldOnCall:
    """Open the on-call holder's grant for a shift once; a second worker racing to open it is harmless."""

    def __init__(self, grants: GrantRepository) -> None:
        self.grants = grants

    def __call__(self, grant: OnCallGrant, now: datetime) -> None:
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


class PerformEffect:
    """Decode one claimed effect and hand it to the use case of its kind."""

    def __init__(self, context: Provisioning) -> None:
        self.context = context
        self.provision = ProvisionGrant(context)
        self.deprovision = DeprovisionGrant(context)
        self.deliver = DeliverNotification(context)

    def __call__(self, claimed: ClaimedEffect, report: TickReport, removals: list[Removal]) -> None:
        """Never raises: an error fails this effect alone (retried with backoff), the others go on."""
        request: GrantRequest | None = None
        try:
            request = self.context.grants.get(claimed.request_id)
            self._perform(claimed, request, report, removals)
        except Exception as error:
            self.context.trouble(claimed, request, error, report)

    def _perform(
        self, claimed: ClaimedEffect, request: GrantRequest, report: TickReport, removals: list[Removal]
    ) -> None:
        try:
            effect = effect_from_json(claimed.body, request=request)
        except EffectDecodeError as unreadable:
            self._refuse(claimed, str(unreadable), report)
            return
        if isinstance(effect, Deprovision):
            removals.append(self.deprovision.remove(claimed, effect, request, report))
        elif isinstance(effect, Provision):
            self.provision(claimed, effect, request, report)
        elif isinstance(effect, Notify):
            self.deliver(claimed, effect, request, report)
        else:
            self._refuse(claimed, "audit records are written with the change, never queued", report)

    def finish(self, removals: list[Removal], report: TickReport) -> None:
        self.deprovision.finish(removals, report)

    def _refuse(self, claimed: ClaimedEffect, why: str, report: TickReport) -> None:
        """A body this version cannot perform: kept, retried at the longest backoff, and logged loudly."""
        c = self.context
        now = c.clock.now()
        log.error("effect %s of request %s cannot be performed: %s", claimed.id, claimed.request_id, why)
        report.add("failed")
        c.grants.fail_effect(claimed, c.owner, now, why, now + timedelta(seconds=BACKOFF[-1]))


def describe(error: BaseException) -> str:
    """One line for a log or an effect's last error: the kind of error and its first line."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0][:300] if lines else 'no detail'}"
