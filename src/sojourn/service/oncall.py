"""Who is on call now, as grants to hold: rotations from the configuration, shifts from iCalendar feeds."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from sojourn.access.config import AccessConfig, OnCallSchedule
from sojourn.access.organization import Organization
from sojourn.access.selector import AccountIndex
from sojourn.service.ports.schedule import OnCallGrant, ScheduleFeed
from sojourn.workflow.ics_shifts import IcsError, parse_ics
from sojourn.workflow.rotations import Shift, grant_windows, whole_shifts

__all__ = ["OnCallGrant", "on_call_grants"]
log = logging.getLogger("sojourn.oncall")
INSTANT = timedelta(microseconds=1)


def _shifts(
    schedule: OnCallSchedule, config: AccessConfig, now: datetime, feeds: ScheduleFeed
) -> list[Shift]:
    if schedule.rotation is not None:
        return whole_shifts(schedule.rotation, now - schedule.margin, now + schedule.margin + INSTANT)
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
    config: AccessConfig, organization: Organization, now: datetime, feeds: ScheduleFeed
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
