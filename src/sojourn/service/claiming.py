"""Hold the claims on a grant's assignments while the worker reads and changes them (see ports/claims.py).

Claims are taken in a fixed order (so two effects over the same accounts never wait on each other in a
circle), retried for a while when someone else holds one, and always released, even when the work fails.
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
from sojourn.service.ports.claims import AssignmentClaims, Claimant, ClaimKey

log = logging.getLogger("sojourn.worker")
CLAIM_LEASE = timedelta(seconds=20)
"""Longer than one assignment's create or delete with its retries; a killed worker's claim runs out then."""
CLAIM_WAIT = 10.0
"""Seconds to wait for a claim another thread or worker holds before the effect is put off for a moment."""
CLAIM_POLL = 0.05


def process_id() -> str:
    """This run of the process: sorts by start time, so a restarted worker's claims win over its past."""
    return f"{time.time_ns():020d}-{os.getpid()}"


class ClaimHolder:
    """Takes and releases a worker's claims; without a claims store every claim is granted (one worker)."""

    def __init__(
        self,
        claims: AssignmentClaims | None,
        clock: Clock,
        worker: str,
        *,
        lease: timedelta = CLAIM_LEASE,
        wait: float = CLAIM_WAIT,
    ) -> None:
        self.claims, self.clock, self.worker = claims, clock, worker
        self.lease, self.wait = lease, wait
        self.process = process_id()

    def claimant(self) -> Claimant:
        return Claimant(self.worker, self.process, str(threading.get_ident()))

    @contextmanager
    def holding(self, principal: str, permission_set: str, accounts: Iterable[str]) -> Iterator[bool]:
        """True while every assignment of `principal` and `permission_set` in `accounts` is ours; False
        when one stayed taken for `wait` seconds (nothing is held then)."""
        if self.claims is None:
            yield True
            return
        keys = sorted({ClaimKey(principal, account, permission_set) for account in accounts})
        claimant, held = self.claimant(), []
        try:
            deadline = time.monotonic() + self.wait
            for key in keys:
                while not self.claims.claim(key, claimant, self.clock.now(), self.lease):
                    if time.monotonic() > deadline:
                        break
                    time.sleep(CLAIM_POLL)
                else:
                    held.append(key)
                    continue
                break
            yield len(held) == len(keys)
        finally:
            for key in held:
                try:
                    self.claims.release(key, claimant)
                except Exception as error:  # the lease runs out instead; a restarted worker takes it back
                    log.warning("claim on %s not released (%s); it runs out by itself", key, error)
