"""A schedule feed that fetches each iCalendar URL at most once a minute and keeps the last good copy."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sojourn.feeds.ics_feed import FeedError, fetch_ics

log = logging.getLogger("sojourn.oncall")


@dataclass
class FeedCache:
    """Each feed fetched at most once a minute; the last good copy is kept when a fetch fails."""

    ttl: float = 60.0
    fetch: Callable[[str], str] = fetch_ics
    _texts: dict[str, tuple[float, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, url: str) -> str | None:
        with self._lock:
            cached = self._texts.get(url)
            if cached is not None and time.monotonic() - cached[0] < self.ttl:
                return cached[1]
        try:
            text = self.fetch(url)
        except FeedError as error:
            log.error("on-call feed %s: %s", url, error)
            return cached[1] if cached else None
        with self._lock:
            self._texts[url] = (time.monotonic(), text)
        return text
