"""Assignment claims: at most one worker thread, in any worker process, changes one assignment at a time.

A claim is held on (principal, account, permission set) while the worker reads what exists and creates or
deletes it, so two overlapping grants of the same assignment cannot both pass the existence check and both
create (after which one deletion would leave access in place). A claim has a lease: the claim of a killed
worker runs out, and a restarted worker of the same name takes its own claims back at once. A live holder
renews its claims while its work lasts (service/claiming.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

__all__ = ["AssignmentClaims", "ClaimKey", "Claimant"]


@dataclass(frozen=True, slots=True, order=True)
class ClaimKey:
    """One assignment: who, where, what."""

    principal: str
    account_id: str
    permission_set: str


@dataclass(frozen=True, slots=True)
class Claimant:
    """Who holds a claim: the worker's name, its process (one run of it; ids sort by start time) and the
    thread in that process.

    Another thread of the same process waits; a later process of the same worker takes the claim over (its
    predecessor was killed or stopped); another worker waits for the lease to run out.
    """

    worker: str
    process: str
    thread: str


class AssignmentClaims(Protocol):
    """Claims on assignments, shared by every worker on the same database."""

    def claim(self, key: ClaimKey, claimant: Claimant, now: datetime, lease: timedelta) -> bool:
        """Take or renew the claim on `key` until now + lease; False when someone else holds it."""
        ...

    def renew(self, key: ClaimKey, claimant: Claimant, now: datetime, lease: timedelta) -> bool:
        """Extend `claimant`'s claim on `key` until now + lease; False when it holds it no more (taken over,
        or released). Unlike `claim`, never takes a claim that is not already its own."""
        ...

    def release(self, key: ClaimKey, claimant: Claimant) -> None:
        """Let go of `claimant`'s claim on `key` (nothing when it holds none)."""
        ...
