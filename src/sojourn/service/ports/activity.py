"""The activity ports: where CloudTrail log files come from and where the usage they show is kept."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sojourn.usage.lines import UsageLine
from sojourn.usage.trail_keys import FileAggregate, RejectedFile, TrailFile, TrailUnreadable, Watermark

__all__ = [
    "FileAggregate",
    "RejectedFile",
    "TrailFile",
    "TrailSource",
    "TrailUnreadable",
    "UsageRepository",
    "Watermark",
]


class TrailSource(Protocol):
    """A trail's log files (a directory or a bucket) and an engine that aggregates them."""

    def files(self) -> list[TrailFile]:
        """Every log file, in key order."""
        ...

    def aggregate(self, files: Sequence[TrailFile]) -> FileAggregate:
        """The event groups of these files; unreadable files are rejected, not fatal."""
        ...

    def close(self) -> None: ...


class UsageRepository(Protocol):
    """The usage table and the set of log files already counted in it."""

    def ingested_keys(self) -> frozenset[str]:
        """Keys of every log file already ingested."""
        ...

    def add(self, lines: Sequence[UsageLine], files: Sequence[TrailFile], at: datetime) -> None:
        """Merge `lines` into the table and mark `files` ingested, in one transaction: a crash leaves both
        or neither, so a file is never counted twice."""
        ...

    def lines(self, *, principal_like: str | None = None, since: datetime | None = None) -> list[UsageLine]:
        """Usage lines (last seen at or after `since`), of principals whose ARN contains `principal_like`."""
        ...

    def watermarks(self) -> list[Watermark]: ...
