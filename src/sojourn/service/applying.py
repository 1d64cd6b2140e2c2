"""Use case: apply a saved plan, recording every change and its audit record as it happens."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Protocol

from sojourn.access.apply_run import INTERRUPTED
from sojourn.access.audit import AuditEvent
from sojourn.access.changes import Change
from sojourn.access.config import DriftMode
from sojourn.access.outcome import ChangeOutcome
from sojourn.access.plan import change_kind, make_plan
from sojourn.access.plan_codec import change_key, change_to_document, describe_change
from sojourn.access.state_codec import state_to_json
from sojourn.analysis.finding import Finding, Risk
from sojourn.catalog import ActionCatalog
from sojourn.clock import Clock
from sojourn.service.audit import DEFAULT_CHECKPOINT_EVERY, AuditTrail, ensure_same_log
from sojourn.service.change_events import change_event
from sojourn.service.plan_findings import at_least, new_findings
from sojourn.service.planning import known_pairs, previous_state
from sojourn.service.ports.audit import AuditRepository, CheckpointInvalid, CheckpointStore, DatabaseReplaced
from sojourn.service.ports.plan_store import PlanStore
from sojourn.service.ports.provider import Provider
from sojourn.service.reconciling import Reconciled, reconcile_interrupted
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


INTENT_BATCH = 32
"""Changes whose intents are recorded together before AWS is asked to make them."""


class ApplyStore(PlanStore, Protocol):
    """What applying needs of the store: what planning reads, and the audit log the runs write to."""

    @property
    def audit(self) -> AuditRepository: ...


class ApplyInterrupted(Exception):
    """The apply stopped part way (AWS or the database failed); says what was and was not done."""

    def __init__(
        self,
        cause: str,
        *,
        run_id: str | None = None,
        done: int = 0,
        failed: int = 0,
        in_flight: int = 0,
        not_attempted: int = 0,
        closed: bool = True,
        lost: bool = False,
    ) -> None:
        if run_id is None:
            text = f"apply stopped before changing anything: {cause}"
        else:
            text = (
                f"apply stopped: {cause}\n"
                f"  done and recorded: {done}; failed and recorded: {failed}; "
                f"not attempted: {not_attempted}\n"
                f"  in flight when it stopped: {in_flight}"
            )
            if lost:
                text += (
                    "\n  this run's records went to the database that is gone: restore it from a backup "
                    "(Sojourn refuses a database its signed checkpoints do not name), then plan again"
                )
            else:
                text += (
                    " (their intents are on the audit log; the next `sojourn apply` or "
                    "`sojourn audit verify` reads AWS back and records whether each was made)"
                )
            text += f"\n  the record is run {run_id}"
            if not closed and not lost:
                text += "; it could not be marked interrupted now and is closed once this process has ended"
        super().__init__(text)
        self.run_id = run_id


@dataclass(frozen=True, slots=True)
class ApplyOutcome:
    run_id: str
    done: int
    failed: tuple[ChangeOutcome, ...]
    not_attempted: int
    reconciled: tuple[Reconciled, ...] = ()
    """Interrupted earlier runs this apply closed first, with what AWS showed of their changes."""
    checkpoint_problem: str | None = None
    """Why no signed checkpoint could be written at the end (the changes are recorded all the same)."""

    @property
    def ok(self) -> bool:
        return not self.failed and not self.not_attempted


def apply_plan(
    saved: SavedPlan,
    provider: Provider,
    store: ApplyStore,
    *,
    actor: str,
    reason: str,
    clock: Clock,
    drift: DriftMode,
    progress: Progress | None = None,
    refuse_at: Risk | None = None,
    instance: str | None = None,
    catalog: ActionCatalog | None = None,
    checkpoints: CheckpointStore | None = None,
    checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
) -> ApplyOutcome:
    """Apply only if the provider still matches the plan's base; stop after a failed phase, leaving a record.

    Each change's intent is on the audit log before AWS is asked and its outcome after, so a crash leaves
    intents that the next apply reconciles with AWS (first thing, before it plans anything of its own).
    `instance` keys the applied state in the store; by default the provider's own `instance_id`.
    """
    if not reason.strip():
        raise ReasonRequired("say why with --reason (it goes on the audit record)")
    instance = instance or provider.instance_id
    trail = AuditTrail(store.audit, checkpoints, every=checkpoint_every)
    try:
        ensure_same_log(store.audit, checkpoints, clock.now())
        reconciled = reconcile_interrupted(store.runs, provider, actor=actor, clock=clock)
        organization = provider.read_organization(with_tags=False)
        previous = previous_state(store, instance)
        current = provider.read_state(organization, known_pairs(saved.desired, previous)).state
    except (DatabaseReplaced, CheckpointInvalid):
        raise
    except Exception as error:
        raise ApplyInterrupted(_cause(error)) from error
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
    try:
        run_id = store.runs.start(
            at=clock.now(),
            actor=actor,
            reason=reason,
            base_fingerprint=plan.base_fingerprint,
            planned=[
                (change_key(c), describe_change(c), json.dumps(change_to_document(c), sort_keys=True))
                for c in changes
            ],
            start_event=AuditEvent(
                clock.now(),
                actor,
                "apply.start",
                reason,
                f"{len(changes)} changes",
                details={"summary": dict(plan.summary), "instance": instance},
            ),
        )
    except Exception as error:
        raise ApplyInterrupted(_cause(error)) from error
    problem = _checkpoint(trail, clock)  # names this log outside the database from its first apply on
    run = _Run(run_id, changes, store, actor, reason, clock, progress)
    try:
        for _, phase in groupby(changes, key=_phase):
            provider.apply_changes(run.announced(list(phase), trail), on_outcome=run.record)
            problem = run.checkpoint_problem or problem
            if run.failed:
                break
        store.audit.check_database()
        status = "succeeded" if not run.failed else ("partial" if run.done else "failed")
        not_attempted = len(changes) - len(run.finished)
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
                details={"done": run.done, "failed": len(run.failed), "not_attempted": not_attempted},
            ),
            applied_state=(instance, state_to_json(saved.desired)) if not run.failed else None,
        )
    except (Exception, KeyboardInterrupt) as error:
        raise run.interrupted(error) from error
    problem = _checkpoint(trail, clock) or problem
    return ApplyOutcome(run_id, run.done, tuple(run.failed), not_attempted, tuple(reconciled), problem)


class _Run:
    """One run in progress: intents before each batch, outcomes as they come, what to say if it stops."""

    def __init__(
        self,
        run_id: str,
        changes: list[Change],
        store: ApplyStore,
        actor: str,
        reason: str,
        clock: Clock,
        progress: Progress | None,
    ) -> None:
        self.run_id, self.changes, self.store = run_id, changes, store
        self.actor, self.reason, self.clock, self.progress = actor, reason, clock, progress
        self.positions = {id(change): index for index, change in enumerate(changes)}
        self.started: set[int] = set()
        self.finished: set[int] = set()
        self.done = 0
        self.failed: list[ChangeOutcome] = []
        self.checkpoint_problem: str | None = None

    def announced(self, phase: list[Change], trail: AuditTrail) -> Iterator[Change]:
        """The phase's changes as the provider takes them, each batch's intents recorded first.

        The provider pulls the next change when it has room for it, so intents go on the log a batch at
        a time just before AWS is asked, and the provider never waits for a whole batch to finish.
        """
        for first in range(0, len(phase), INTENT_BATCH):
            due = _checkpoint(trail, self.clock, only_if_due=True)
            self.checkpoint_problem = due or self.checkpoint_problem
            batch = phase[first : first + INTENT_BATCH]
            self._record_intents(batch)
            yield from batch

    def _record_intents(self, batch: list[Change]) -> None:
        intents = [
            (
                self.positions[id(c)],
                change_event(
                    c,
                    at=self.clock.now(),
                    actor=self.actor,
                    reason=self.reason,
                    suffix=".intent",
                    details={"position": self.positions[id(c)]},
                ),
            )
            for c in batch
        ]
        self.store.audit.check_database()
        self.store.runs.record_intents(self.run_id, intents)
        self.started.update(position for position, _ in intents)

    def record(self, outcome: ChangeOutcome) -> None:
        position = self.positions[id(outcome.change)]
        event = change_event(
            outcome.change,
            at=self.clock.now(),
            actor=self.actor,
            reason=self.reason,
            suffix="" if outcome.ok else ".failed",
            details={"aws": outcome.detail, "request_id": outcome.request_id},
        )
        self.store.runs.record_change(
            self.run_id, position, ok=outcome.ok, detail=outcome.detail, event=event
        )
        self.finished.add(position)
        if outcome.ok:
            self.done += 1
        else:
            self.failed.append(outcome)
        if self.progress is not None:
            self.progress(len(self.finished), len(self.changes), describe_change(outcome.change))

    def interrupted(self, error: BaseException) -> ApplyInterrupted:
        """Mark the run interrupted if the database still answers; the error that says what happened."""
        in_flight = len(self.started - self.finished)
        closed = False
        if not isinstance(error, DatabaseReplaced):
            try:
                self.store.runs.finish(
                    self.run_id,
                    at=self.clock.now(),
                    status=INTERRUPTED,
                    event=AuditEvent(
                        self.clock.now(),
                        self.actor,
                        "apply.interrupted",
                        self.reason,
                        _cause(error),
                        details={
                            "done": self.done,
                            "failed": len(self.failed),
                            "in_flight": in_flight,
                            "not_attempted": len(self.changes) - len(self.started),
                        },
                    ),
                )
                closed = True
            except Exception:  # the database is what failed: the next run closes this one
                closed = False
        return ApplyInterrupted(
            _cause(error),
            run_id=self.run_id,
            done=self.done,
            failed=len(self.failed),
            in_flight=in_flight,
            not_attempted=len(self.changes) - len(self.started),
            closed=closed,
            lost=isinstance(error, DatabaseReplaced),
        )


def _checkpoint(trail: AuditTrail, clock: Clock, *, only_if_due: bool = False) -> str | None:
    """Sign a checkpoint of the log's head (or only when due); why not, if it cannot be (the apply goes
    on all the same: its records are in the database, a checkpoint only anchors them)."""
    try:
        if only_if_due:
            trail.checkpoint_if_due(clock.now())
        else:
            trail.checkpoint(clock.now())
    except (CheckpointInvalid, OSError) as error:
        return str(error)
    return None


def _cause(error: BaseException) -> str:
    """The error in one line: its kind and the first line of its message, bounded."""
    if isinstance(error, KeyboardInterrupt):
        return "interrupted (Ctrl-C)"
    first = (str(error).strip().splitlines() or [""])[0]
    return f"{type(error).__name__}: {first[:300]}"


def _phase(change: Change) -> tuple[str, str]:
    return change_kind(change), change.action.value
