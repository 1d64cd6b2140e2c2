"""Hold the claims on a grant's assignments while the worker reads and changes them (see ports/claims.py).

Claims are taken in a fixed order (so two effects over the same accounts never wait on each other in a
circle), retried for a while when someone else holds one, renewed every third of their lease while the work
lasts (AWS slow or throttled), and always released, even when the work fails. A renewal that finds a claim
taken over (this worker was stalled past its lease) marks the hold lost: `Hold.ensure`, called before each
change in the cloud, then stops the work.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from sojourn.clock import Clock
from sojourn.service.heartbeat import every_third, heartbeat
from sojourn.service.ports.claims import AssignmentClaims, Claimant, ClaimKey

log = logging.getLogger("sojourn.worker")
CLAIM_LEASE = timedelta(seconds=20)
"""How long a killed worker's claim blocks others; a live worker renews it while its change lasts."""
CLAIM_WAIT = 10.0
"""Seconds to wait for a claim another thread or worker holds before the effect is put off for a moment."""
CLAIM_POLL = 0.05


def process_id() -> str:
    """This run of the process: sorts by start time, so a restarted worker's claims win over its past."""
    return f"{time.time_ns():020d}-{os.getpid()}"


class ClaimLost(Exception):
    """A claim this worker held was taken by another one; the work on it must stop."""


class Hold:
    """The claims one piece of work holds: whether all were granted, and whether one was lost since."""

    def __init__(self, granted: bool) -> None:
        self.granted = granted
        self._lost: list[ClaimKey] = []
        self._lock = threading.Lock()

    def lose(self, key: ClaimKey) -> None:
        with self._lock:
            self._lost.append(key)

    @property
    def lost(self) -> tuple[ClaimKey, ...]:
        with self._lock:
            return tuple(self._lost)

    def ensure(self) -> None:
        """Raise ClaimLost when another worker took one of these claims: change nothing more under them."""
        lost = self.lost
        if lost:
            what = ", ".join(f"{k.principal}/{k.account_id}/{k.permission_set}" for k in lost)
            raise ClaimLost(f"the claim on {what} was taken by another worker; stopped before changing it")


class ClaimHolder:
    """Takes, renews and releases a worker's claims; without a claims store every claim is granted (one
    worker)."""

    def __init__(
        self,
        claims: AssignmentClaims | None,
        clock: Clock,
        worker: str,
        *,
        lease: timedelta = CLAIM_LEASE,
        wait: float = CLAIM_WAIT,
        renew_every: float | None = None,
    ) -> None:
        self.claims, self.clock, self.worker = claims, clock, worker
        self.lease, self.wait = lease, wait
        self.renew_every = every_third(lease) if renew_every is None else renew_every
        self.process = process_id()

    def claimant(self) -> Claimant:
        return Claimant(self.worker, self.process, str(threading.get_ident()))

    @contextmanager
    def holding(self, principal: str, permission_set: str, accounts: Iterable[str]) -> Iterator[Hold]:
        """Granted while every assignment of `principal` and `permission_set` in `accounts` is ours; not
        granted when one stayed taken for `wait` seconds (nothing is held then)."""
        if self.claims is None:
            yield Hold(True)
            return
        keys = sorted({ClaimKey(principal, account, permission_set) for account in accounts})
        claimant = self.claimant()
        held = self._take(keys, claimant)
        hold = Hold(len(held) == len(keys))
        if not hold.granted:
            self._release(held, claimant)
            yield hold
            return
        try:
            with heartbeat(lambda: self._renew(held, claimant, hold), self.renew_every, "assignment claims"):
                yield hold
        finally:
            self._release(held, claimant)

    def _take(self, keys: list[ClaimKey], claimant: Claimant) -> list[ClaimKey]:
        """The keys taken, in order, stopping at the first that stayed taken for `wait` seconds."""
        assert self.claims is not None
        held: list[ClaimKey] = []
        deadline = time.monotonic() + self.wait
        try:
            for key in keys:
                while not self.claims.claim(key, claimant, self.clock.now(), self.lease):
                    if time.monotonic() > deadline:
                        return held
                    time.sleep(CLAIM_POLL)
                held.append(key)
        except BaseException:
            self._release(held, claimant)
            raise
        return held

    def _renew(self, held: list[ClaimKey], claimant: Claimant, hold: Hold) -> None:
        assert self.claims is not None
        for key in held:
            if key not in hold.lost and not self.claims.renew(key, claimant, self.clock.now(), self.lease):
                hold.lose(key)
                log.error("the claim on %s was taken by another worker while this one held it", key)

    def _release(self, held: list[ClaimKey], claimant: Claimant) -> None:
        assert self.claims is not None
        for key in held:
            try:
                self.claims.release(key, claimant)
            except Exception as error:  # the lease runs out instead; a restarted worker takes it back
                log.warning("claim on %s not released (%s); it runs out by itself", key, error)
