"""The in-memory twin of the assignment claims (one process's threads share it); same answers as SQL."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sojourn.service.ports.claims import Claimant, ClaimKey


def may_take(held: tuple[Claimant, datetime] | None, claimant: Claimant, now: datetime) -> bool:
    """Free, run out, ours, or left by an earlier process of the same worker."""
    if held is None:
        return True
    holder, expires_at = held
    return (
        expires_at <= now
        or holder == claimant
        or (holder.worker == claimant.worker and holder.process < claimant.process)
    )


class MemoryAssignmentClaims:
    """Implements the AssignmentClaims port in a dictionary under a lock."""

    def __init__(self) -> None:
        self._held: dict[ClaimKey, tuple[Claimant, datetime]] = {}
        self._lock = threading.Lock()

    def claim(self, key: ClaimKey, claimant: Claimant, now: datetime, lease: timedelta) -> bool:
        with self._lock:
            if not may_take(self._held.get(key), claimant, now):
                return False
            self._held[key] = (claimant, now + lease)
            return True

    def renew(self, key: ClaimKey, claimant: Claimant, now: datetime, lease: timedelta) -> bool:
        with self._lock:
            held = self._held.get(key)
            if held is None or held[0] != claimant:
                return False
            self._held[key] = (claimant, now + lease)
            return True

    def release(self, key: ClaimKey, claimant: Claimant) -> None:
        with self._lock:
            held = self._held.get(key)
            if held is not None and held[0] == claimant:
                del self._held[key]
