"""Use case: close apply runs that were interrupted, recording what AWS actually did with each change
whose intent was recorded but whose outcome was not (a crash, AWS or the database gone mid-apply)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sojourn.access.apply_run import INTERRUPTED, Run
from sojourn.access.audit import AuditEvent
from sojourn.access.change_effect import in_effect
from sojourn.access.plan_codec import change_from_document
from sojourn.access.state import AccessState
from sojourn.clock import Clock
from sojourn.service.change_events import change_event
from sojourn.service.ports.provider import Provider
from sojourn.service.ports.runs import RunRepository


@dataclass(frozen=True, slots=True)
class Reconciled:
    """One interrupted run closed: how many of its in-flight changes AWS had made, and had not."""

    run_id: str
    applied: int
    not_applied: int


def reconcile_interrupted(
    runs: RunRepository, provider: Provider, *, actor: str, clock: Clock
) -> list[Reconciled]:
    """Read AWS back for each change interrupted runs left in flight, record what it shows, close the runs."""
    pending = runs.unreconciled()
    if not pending:
        return []
    state = _observed(provider, pending)
    return [_close(run, state, runs, actor, clock) for run in pending]


def _observed(provider: Provider, pending: list[Run]) -> AccessState:
    pairs = set()
    for run in pending:
        for change in run.in_flight:
            document = json.loads(change.document or "{}")
            if document.get("kind") == "assignment":
                pairs.add((str(document["account_id"]), str(document["permission_set"])))
    organization = provider.read_organization(with_tags=False)
    return provider.read_state(organization, pairs).state


def _close(run: Run, state: AccessState, runs: RunRepository, actor: str, clock: Clock) -> Reconciled:
    applied = not_applied = 0
    for entry in run.in_flight:
        if not entry.document:
            not_applied += 1
            continue
        change = change_from_document(json.loads(entry.document))
        found = in_effect(change, state)
        applied += found
        not_applied += not found
        what = "made" if found else "not made"
        runs.record_change(
            run.id,
            entry.position,
            ok=found,
            detail=f"reconciled after an interruption: AWS shows the change {what}",
            event=change_event(
                change,
                at=clock.now(),
                actor=actor,
                reason=run.reason,
                suffix=".reconciled",
                details={"in_aws": found, "interrupted_run": run.id},
            ),
        )
    runs.finish(
        run.id,
        at=clock.now(),
        status=INTERRUPTED,
        event=AuditEvent(
            clock.now(),
            actor,
            "apply.reconciled",
            run.reason,
            f"run {run.id} was interrupted; {applied} in-flight changes were made in AWS, {not_applied} not",
            details={"applied": applied, "not_applied": not_applied, "owner": run.owner},
        ),
    )
    return Reconciled(run.id, applied, not_applied)
