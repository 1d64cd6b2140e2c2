"""On-call shifts from an iCalendar feed (how PagerDuty and Opsgenie export schedules), text in.

Each VEVENT is one shift; the person comes from the SUMMARY (optionally through a regular expression with
a `person` group) or from the first ATTENDEE's mail address. Recurring events are refused: schedule
exports list every shift, and expanding RRULEs would guess at the provider's overrides.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar

from sojourn.inputs.patterns import AdminPattern, PatternError, compile_pattern
from sojourn.workflow.rotations import Shift


class IcsError(ValueError):
    """The feed is not an iCalendar document Sojourn can read, with the reason."""


def _instant(value: object, field: str) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise IcsError(
                f"{field} {value.isoformat()} has no time zone; export the feed with TZID or UTC times"
            )
        return value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise IcsError(f"{field} is missing or not a date-time")


def _person(event: icalendar.cal.Component, person_from: str, pattern: AdminPattern | None) -> str:
    if person_from == "attendee":
        attendee = event.get("ATTENDEE")
        if isinstance(attendee, list):
            attendee = attendee[0] if attendee else None
        if attendee is None:
            raise IcsError("an event has no ATTENDEE")
        return str(attendee).removeprefix("mailto:").removeprefix("MAILTO:")
    summary = str(event.get("SUMMARY", "")).strip()
    if pattern is None:
        return summary
    person = pattern.group_in(summary, "person")
    if not person:
        raise IcsError(f"summary {summary!r} does not match the person pattern {pattern.text!r}")
    return person.strip()


def parse_ics(text: str, *, person_from: str = "summary", pattern: str | None = None) -> list[Shift]:
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as error:
        raise IcsError(f"not an iCalendar document: {error}") from None
    try:
        compiled = compile_pattern(pattern) if pattern else None
    except PatternError as error:
        raise IcsError(str(error)) from None
    found = []
    for event in calendar.walk("VEVENT"):
        if event.get("RRULE") is not None:
            raise IcsError(
                "recurring events (RRULE) are not supported; export the schedule's shifts one by one"
            )
        start = _instant(event.decoded("DTSTART", None), "DTSTART")
        end = _instant(event.decoded("DTEND", None), "DTEND")
        if end <= start:
            raise IcsError(f"an event ends ({end.isoformat()}) before it starts ({start.isoformat()})")
        found.append(Shift(_person(event, person_from, compiled), start, end))
    return sorted(found, key=lambda s: (s.start, s.person))
