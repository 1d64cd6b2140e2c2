"""Use case: apply a saved plan, recording every change and its audit record as it happens."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sojourn.access.audit import AuditEvent
from sojourn.access.changes import (
    AssignmentChange,
    Change,
    GroupChange,
    MembershipChange,
    PermissionSetChange,
    UserChange,
)
from sojourn.access.config import DriftMode
from sojourn.access.outcome import ChangeOutcome
from sojourn.access.plan import change_kind, make_plan
from sojourn.access.plan_codec import change_key, change_to_document, describe_change
from sojourn.access.state_codec import state_to_json
from sojourn.analysis.finding import Finding, Risk
from sojourn.catalog import ActionCatalog
from sojourn.clock import Clock
from sojourn.service.plan_findings import at_least, new_findings
from sojourn.service.planning import known_pairs, previous_state
from sojourn.service.ports.plan_store import PlanStore
from sojourn.service.ports.provider import Provider
from sojourn.service.saved_plan import SavedPlan

Progress = Callable[[int, int, str], None]


class PlanStale(Exception):
    """The provider no longer matches the state the plan was made from."""

    def __init__(self, moved: Sequence[str]) -> None:
        super().__init__("AWS changed since the plan was made; plan again. What moved:\n" + "\n".join(moved))
        self.moved = tuple(moved)


class ReasonRequired(Exception):
    """Every apply must say why."""


class RiskRefused(Exception):
    """The plan would introduce findings at or above the severity the caller refuses."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("the plan introduces risky permissions:\n" + "\n".join(f"  {f}" for f in findings))
        self.findings = findings


@dataclass(frozen=True, slots=True)
class ApplyOutcome:
    run_id: str
    done: int
    failed: tuple[ChangeOutcome, ...]
    not_attempted: int

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_attempted


def apply_plan(
    saved: SavedPlan,
    provider: Provider,
    store: PlanStore,
    *,
    actor: str,
    reason: str,
    clock: Clock,
    drift: DriftMode,
    progress: Progress | None = None,
    refuse_at: Risk | None = None,
    instance: str | None = None,
    catalog: ActionCatalog | None = None,
) -> ApplyOutcome:
    """Apply only if the provider still matches the plan's base; stop after a failed phase, leaving a record.

    `instance` keys the applied state in the store; by default the provider's own `instance_id`.
    """
    if not reason.strip():
        raise ReasonRequired("say why with --reason (it goes on the audit record)")
    instance = instance or provider.instance_id
    organization = provider.read_organization(with_tags=False)
    previous = previous_state(store, instance)
    current = provider.read_state(organization, known_pairs(saved.desired, previous)).state
    plan = saved.plan
    if current.fingerprint() != plan.base_fingerprint:
        fresh = make_plan(
            saved.desired,
            current,
            drift=drift,
            previous=previous,
            account_names={a.id: a.name for a in organization.accounts},
        )
        old = {describe_change(c) for c in plan.changes}
        new = {describe_change(c) for c in fresh.changes}
        moved = [f"  no longer needed: {d}" for d in sorted(old - new)]
        moved += [f"  now also needed: {d}" for d in sorted(new - old)]
        raise PlanStale(moved or ["  the state differs in ways that do not change the plan; plan again"])
    if refuse_at is not None:
        if catalog is None:
            raise ValueError("refusing a change by its risk needs the action catalogue")
        accounts = (a.id for a in organization.accounts)
        risky = at_least(new_findings(saved.desired, current, accounts, catalog), refuse_at)
        if risky:
            raise RiskRefused(risky)
    changes = list(plan.changes)
    run_id = store.runs.start(
        at=clock.now(),
        actor=actor,
        reason=reason,
        base_fingerprint=plan.base_fingerprint,
        planned=[(change_key(c), describe_change(c)) for c in changes],
        start_event=AuditEvent(
            clock.now(),
            actor,
            "apply.start",
            reason,
            f"{len(changes)} changes",
            details={"summary": dict(plan.summary), "instance": instance},
        ),
    )
    positions = {id(change): index for index, change in enumerate(changes)}
    done, failed, finished = 0, [], 0

    def record(outcome: ChangeOutcome) -> None:
        nonlocal done, finished
        finished += 1
        event = _audit_event(outcome, actor, reason, clock)
        store.runs.record_change(
            run_id, positions[id(outcome.change)], ok=outcome.ok, detail=outcome.detail, event=event
        )
        if outcome.ok:
            done += 1
        else:
            failed.append(outcome)
        if progress is not None:
            progress(finished, len(changes), describe_change(outcome.change))

    for _, phase in groupby(changes, key=_phase):
        provider.apply_changes(list(phase), on_outcome=record)
        if failed:
            break
    status = "succeeded" if not failed else ("partial" if done else "failed")
    store.runs.finish(
        run_id,
        at=clock.now(),
        status=status,
        event=AuditEvent(
            clock.now(),
            actor,
            "apply.finish",
            reason,
            status,
            details={"done": done, "failed": len(failed), "not_attempted": len(changes) - finished},
        ),
        applied_state=(instance, state_to_json(saved.desired)) if not failed else None,
    )
    return ApplyOutcome(run_id, done, tuple(failed), len(changes) - finished)


def _phase(change: Change) -> tuple[str, str]:
    return change_kind(change), change.action.value


def _audit_event(outcome: ChangeOutcome, actor: str, reason: str, clock: Clock) -> AuditEvent:
    change = outcome.change
    document: dict[str, Any] = change_to_document(change)
    person = account = permission_set = None
    before = after = None
    if isinstance(change, AssignmentChange):
        a = change.assignment
        person = a.principal if a.principal_type == "USER" else None
        account, permission_set = a.account_id, a.permission_set
        before, after = (None, document) if change.action == "create" else (document, None)
    elif isinstance(change, PermissionSetChange):
        permission_set = change.name
        before, after = document.get("before"), document.get("after")
    elif isinstance(change, UserChange):
        person = change.user.user_name
        before, after = (None, document) if change.action == "create" else (document, None)
    elif isinstance(change, MembershipChange):
        person = change.membership.user
        before, after = (None, document) if change.action == "create" else (document, None)
    elif isinstance(change, GroupChange):
        before, after = (None, document) if change.action == "create" else (document, None)
    suffix = "" if outcome.ok else ".failed"
    return AuditEvent(
        at=clock.now(),
        actor=actor,
        action=f"{change_kind(change)}.{change.action.value}{suffix}",
        reason=reason,
        target=describe_change(change),
        person=person,
        account_id=account,
        permission_set=permission_set,
        before=before,
        after=after,
        details={"aws": outcome.detail, "request_id": outcome.request_id},
    )
