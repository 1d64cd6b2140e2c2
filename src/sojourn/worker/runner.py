"""The worker: at each tick, ask the store what is due now and do it, at least once and idempotently.

- on-call holders get their shift's grant (opened once);
- requests due at T: unanswered ones expire, active grants end (their deprovisioning is queued);
- queued effects are claimed with a lease, in batches, and each is performed by the provisioning use case
  of its kind (service/provisioning.py), on a pool of threads; a batch's removals end sessions together.
  The batch's leases are renewed while it runs; an effect whose lease another worker took is skipped.

The loop never ends on an error: a failed effect is retried with backoff, a failed tick (the store away) is
logged and tried again after a short, growing pause. Each tick that completes (and each batch within one)
calls `pulse`, which `sojourn serve`'s health check reads (worker/supervisor.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sojourn.clock import Clock
from sojourn.service.claiming import ClaimHolder
from sojourn.service.heartbeat import every_third, heartbeat
from sojourn.service.ports.claims import AssignmentClaims
from sojourn.service.ports.grants import ClaimedEffect, GrantRepository
from sojourn.service.ports.notifier import Notifier
from sojourn.service.ports.provider import Provider
from sojourn.service.ports.schedule import OnCallSource
from sojourn.service.provisioning import (
    Checkpoint,
    HoldOnCall,
    PerformEffect,
    Provisioning,
    Removal,
    SessionRevoker,
    Standing,
    TickReport,
    describe,
)
from sojourn.workflow.grant_request import State
from sojourn.workflow.transitions import Tick, transition

__all__ = ["TickReport", "Worker", "run_loop"]
log = logging.getLogger("sojourn.worker")
MAX_PAUSE = 5.0
"""The longest pause after failed ticks in a row: an outage's end is noticed within this."""


class Worker:
    """Performs what is due at each tick; safe to run several at once (effects are leased)."""

    def __init__(
        self,
        grants: GrantRepository,
        gateway: Provider,
        clock: Clock,
        *,
        owner: str,
        standing: Standing = lambda person: set(),
        notify: Notifier | None = None,
        revoke_sessions: SessionRevoker | None = None,
        lease: timedelta = timedelta(minutes=2),
        checkpoint: Checkpoint = lambda step: None,
        concurrency: int = 1,
        on_call: OnCallSource | None = None,
        jobs: Sequence[Callable[[datetime], int]] = (),
        claims: AssignmentClaims | None = None,
        pulse: Callable[[], None] = lambda: None,
    ) -> None:
        self.context = Provisioning(
            grants,
            gateway,
            clock,
            owner,
            ClaimHolder(claims, clock, owner),
            standing,
            notify,
            revoke_sessions,
            checkpoint,
        )
        self.pulse = pulse
        """Called whenever the worker made progress: at the end of each batch and of each tick."""
        self.perform = PerformEffect(self.context)
        self.hold = HoldOnCall(grants)
        self.grants, self.clock, self.owner, self.lease = grants, clock, owner, lease
        self.on_call = on_call
        self.jobs = tuple(jobs)
        """Scheduled jobs (key rotation): each is given `now` and says how much it did."""
        self.concurrency = concurrency
        self.batch = max(50, concurrency * 8)

    @property
    def notify(self) -> Notifier | None:
        return self.context.notify

    @notify.setter
    def notify(self, notify: Notifier | None) -> None:
        self.context.notify = notify

    def tick(self) -> TickReport:
        report = TickReport()
        now = self.clock.now()
        if self.on_call is not None:
            try:
                for grant in self.on_call(now):
                    self.hold(grant, now)
            except Exception as error:  # the schedule or the organisation unreadable: grants still end
                log.error("on-call grants not opened this tick: %s", describe(error))
                report.add("failed")
        for request_id in self.grants.due_requests(now):
            try:
                outcome = self.grants.change(request_id, lambda r: transition(r, Tick(), now), now)
            except Exception as error:  # this one request is tried again next tick; the others go on
                log.error("request %s not closed this tick: %s", request_id, describe(error))
                report.add("failed")
                continue
            report.closed += outcome.request.state is not State.ACTIVE and bool(outcome.effects)
        while effects := self.grants.claim_effects(self.clock.now(), self.owner, self.lease, self.batch):
            leases = EffectLeases(self.grants, self.clock, self.owner, self.lease, effects)
            with heartbeat(leases.renew, every_third(self.lease), "effect leases"):
                self._perform_batch(effects, leases, report)
            self.pulse()
        for job in self.jobs:
            try:
                report.add("scheduled", job(now))
            except Exception as error:  # a failing job must not stop grants from ending; retried next tick
                log.error("a scheduled job failed: %s", describe(error))
                report.add("failed")
        self.pulse()
        return report

    def _perform_batch(self, effects: list[ClaimedEffect], leases: EffectLeases, report: TickReport) -> None:
        removals: list[Removal] = []

        def attempt(effect: ClaimedEffect) -> None:
            if leases.still_ours(effect):
                self.perform(effect, report, removals)

        if self.concurrency == 1:
            for effect in effects:
                attempt(effect)
        else:
            with ThreadPoolExecutor(self.concurrency) as pool:
                list(pool.map(attempt, effects))
        self.perform.finish(removals, report)


class EffectLeases:
    """The leases on one batch of claimed effects, renewed while the batch runs (a batch of slow AWS calls
    can outlast one lease); an effect another worker took meanwhile is left to it."""

    def __init__(
        self,
        grants: GrantRepository,
        clock: Clock,
        owner: str,
        lease: timedelta,
        effects: list[ClaimedEffect],
    ) -> None:
        self.grants, self.clock, self.owner, self.lease = grants, clock, owner, lease
        self._held = {effect.id for effect in effects}
        self._lock = threading.Lock()

    def renew(self) -> None:
        with self._lock:
            ids = set(self._held)
        held = self.grants.renew_effects(ids, self.owner, self.clock.now(), self.lease)
        with self._lock:
            self._held &= held

    def still_ours(self, effect: ClaimedEffect) -> bool:
        with self._lock:
            ours = effect.id in self._held
        if not ours:
            log.warning("effect %s was taken by another worker (its lease ran out); left to it", effect.id)
        return ours


def run_loop(
    worker: Worker,
    *,
    once: bool,
    interval: float,
    on_report: Callable[[TickReport], None] = lambda report: None,
    stop: threading.Event | None = None,
    allowed: Callable[[], bool] = lambda: True,
) -> None:
    """Tick every `interval` seconds (once with `once`), passing on each report that did something, until
    `stop` is set or `allowed()` turns False (the worker's name was taken over). A tick that fails is logged
    and tried again after a pause growing up to MAX_PAUSE; with `once` its error is raised."""
    stop = stop or threading.Event()
    failures = 0
    while not stop.is_set() and allowed():
        try:
            report = worker.tick()
        except Exception as error:
            if once:
                raise
            failures += 1
            pause = min(MAX_PAUSE, interval * 2**failures)
            log.error(
                "worker tick failed (%d in a row), grants due meanwhile are late; again in %.1fs: %s",
                failures,
                pause,
                describe(error),
            )
            stop.wait(pause)
            continue
        failures = 0
        if report.provisioned or report.deprovisioned or report.closed or report.failed or report.scheduled:
            on_report(report)
        if once:
            return
        stop.wait(interval)
