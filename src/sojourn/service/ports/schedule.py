"""The on-call schedule feed: iCalendar documents by URL, and the on-call grants they and rotations imply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class OnCallGrant:
    """The grant an on-call holder should have for one shift (widened by its margin); `id` is stable."""

    id: str
    schedule: str
    person: str
    permission_set: str
    accounts: tuple[str, ...]
    start: datetime
    end: datetime


class ScheduleFeed(Protocol):
    """The text of the iCalendar feed at `url`, or None when it cannot be had (the failure is logged)."""

    def __call__(self, url: str, /) -> str | None: ...


class OnCallSource(Protocol):
    """The on-call grants that hold at `now`."""

    def __call__(self, now: datetime, /) -> list[OnCallGrant]: ...
