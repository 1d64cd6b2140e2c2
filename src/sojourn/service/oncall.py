"""Who is on call now, as grants to hold: rotations from the configuration, shifts from iCalendar feeds."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sojourn.access.config import AccessConfig, OnCallSchedule
from sojourn.access.organization import Organization
from sojourn.access.selector import AccountIndex
from sojourn.feeds.ics_feed import FeedError, fetch_ics
from sojourn.workflow.ics_shifts import IcsError, parse_ics
from sojourn.workflow.rotations import Shift, grant_windows, shifts

log = logging.getLogger("sojourn.oncall")
LOOK = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class OnCallGrant:
    id: str
    schedule: str
    person: str
    permission_set: str
    accounts: tuple[str, ...]
    start: datetime
    end: datetime


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


def _shifts(
    schedule: OnCallSchedule, config: AccessConfig, now: datetime, feeds: Callable[[str], str | None]
) -> list[Shift]:
    if schedule.rotation is not None:
        return shifts(schedule.rotation, now - LOOK, now + LOOK)
    if schedule.ics_url is None:
        return []
    text = feeds(schedule.ics_url)
    if text is None:
        return []
    try:
        found = parse_ics(text, person_from=schedule.person_from, pattern=schedule.person_pattern)
    except IcsError as error:
        log.error("on-call feed of %s: %s", schedule.name, error)
        return []
    by_email = {spec.email.lower(): name for name, spec in config.people.items() if spec.email}
    named = []
    for shift in found:
        person = shift.person if shift.person in config.people else by_email.get(shift.person.lower())
        if person is None:
            log.warning(
                "on-call feed of %s names %r, who is not a person of the configuration",
                schedule.name,
                shift.person,
            )
            continue
        named.append(Shift(person, shift.start, shift.end))
    return named


def on_call_grants(
    config: AccessConfig, organization: Organization, now: datetime, feeds: Callable[[str], str | None]
) -> list[OnCallGrant]:
    """The grants the on-call holders should have at `now` (each shift widened by its margin)."""
    index = AccountIndex(organization)
    found = []
    for schedule in config.on_call:
        accounts = tuple(sorted(index.select(schedule.where)))
        for window in grant_windows(_shifts(schedule, config, now, feeds), schedule.margin):
            if window.start <= now < window.end:
                key = f"{schedule.name}|{window.person}|{window.start.isoformat()}"
                grant_id = "oc-" + hashlib.sha256(key.encode()).hexdigest()[:12]
                found.append(
                    OnCallGrant(
                        grant_id,
                        schedule.name,
                        window.person,
                        schedule.permission_set,
                        accounts,
                        window.start,
                        window.end,
                    )
                )
    return found
