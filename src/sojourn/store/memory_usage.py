"""The in-memory twin of the usage repository: usage lines and ingested log files in dictionaries."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime

from sojourn.usage.lines import UsageKey, UsageLine
from sojourn.usage.trail_keys import TrailFile, Watermark


class MemoryUsageStore:
    """Implements the UsageRepository port in memory (tests, the demo); same answers as `UsageStore`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lines: dict[UsageKey, UsageLine] = {}
        self._files: dict[str, tuple[TrailFile, datetime]] = {}

    def ingested_keys(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._files)

    def add(self, lines: Sequence[UsageLine], files: Sequence[TrailFile], at: datetime) -> None:
        with self._lock:
            duplicate = [f.key for f in files if f.key in self._files]
            if duplicate:
                raise ValueError(f"log file already ingested: {duplicate[0]}")
            for line in lines:
                known = self._lines.get(line.key)
                self._lines[line.key] = line if known is None else known.merged(line)
            for file in files:
                self._files[file.key] = (file, at)

    def lines(self, *, principal_like: str | None = None, since: datetime | None = None) -> list[UsageLine]:
        with self._lock:
            found = [
                line
                for line in self._lines.values()
                if (not principal_like or principal_like in line.principal)
                and (since is None or line.last_seen >= since)
            ]
        return sorted(found, key=lambda line: (line.principal, line.action, line.resource, line.session))

    def watermarks(self) -> list[Watermark]:
        with self._lock:
            by_prefix: dict[str, list[tuple[TrailFile, datetime]]] = {}
            for file, at in self._files.values():
                by_prefix.setdefault(file.prefix, []).append((file, at))
        return [
            Watermark(
                prefix,
                len(entries),
                max(f.key for f, _ in entries),
                max(at for _, at in entries),
            )
            for prefix, entries in sorted(by_prefix.items())
        ]
