"""An apply run as recorded: what it meant to do, change by change, and how far it got."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

PENDING, STARTED, DONE, FAILED = "pending", "started", "done", "failed"
"""The states of one planned change within a run: STARTED once its intent is recorded, before AWS is asked."""

RUNNING = "running"
"""A run's status until it finishes as "succeeded", "partial", "failed" or "interrupted"."""

INTERRUPTED = "interrupted"
"""A run that stopped before its end (a crash, AWS or the database gone); its STARTED changes are
reconciled with AWS by the next apply or `sojourn audit verify`."""


@dataclass(frozen=True, slots=True)
class RunChange:
    """One planned change: its place in the plan, its description, and whether it was done."""

    position: int
    description: str
    status: str
    detail: str
    document: str = ""
    """The change as JSON (plan_codec's document), so a change left STARTED can be checked against AWS."""


@dataclass(frozen=True, slots=True)
class Run:
    """One apply: who started it and why, when, its status and every planned change."""

    id: str
    started_at: datetime
    finished_at: datetime | None
    actor: str
    reason: str
    status: str
    changes: tuple[RunChange, ...]
    owner: str = ""
    """host:pid of the process that ran it ("" for runs recorded before owners were kept)."""

    @property
    def not_done(self) -> tuple[RunChange, ...]:
        """The changes still pending or failed: what a partial apply left to do."""
        return tuple(c for c in self.changes if c.status != DONE)

    @property
    def in_flight(self) -> tuple[RunChange, ...]:
        """Changes whose intent was recorded but whose outcome was not: AWS may or may not have made them."""
        return tuple(c for c in self.changes if c.status == STARTED)
