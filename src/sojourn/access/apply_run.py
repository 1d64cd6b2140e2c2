"""An apply run as recorded: what it meant to do, change by change, and how far it got."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

PENDING, DONE, FAILED = "pending", "done", "failed"
"""The states of one planned change within a run."""

RUNNING = "running"
"""A run's status until it finishes as "succeeded", "partial" or "failed"."""


@dataclass(frozen=True, slots=True)
class RunChange:
    """One planned change: its place in the plan, its description, and whether it was done."""

    position: int
    description: str
    status: str
    detail: str


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

    @property
    def not_done(self) -> tuple[RunChange, ...]:
        """The changes still pending or failed: what a partial apply left to do."""
        return tuple(c for c in self.changes if c.status != DONE)
