"""On-call rotations: who is on call when, as contiguous shifts (no gap, no overlap), overrides cut in.

A rotation hands over every `length` from `start`; with `handover` set, each hand-over happens at that
local time of day in the rotation's time zone, so daylight-saving changes do not move it, on the days
`length` apart from the local day of `start`. The first member is on call from `start` itself to the first
hand-over: a start off the hand-over time makes that first shift shorter or longer than `length`, never
leaves a gap. Every datetime must be aware; naive ones are refused with a RotationError.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class RotationError(ValueError):
    """The rotation cannot be computed (no people, bad length, naive time, unknown zone...)."""


@dataclass(frozen=True, slots=True)
class Shift:
    person: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Rotation:
    name: str
    people: tuple[str, ...]
    start: datetime
    length: timedelta
    timezone: str = "UTC"
    handover: time | None = None
    overrides: tuple[Shift, ...] = ()


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise RotationError(f"unknown time zone {name!r}; use an IANA name such as Europe/Berlin") from error


def _aware(value: datetime, what: str) -> None:
    if value.utcoffset() is None:
        raise RotationError(
            f"{what} {value:%Y-%m-%d %H:%M} has no time zone; pass aware datetimes (UTC, or with an offset)"
        )


def _check(rotation: Rotation) -> None:
    if not rotation.people:
        raise RotationError(f"rotation {rotation.name} has nobody in it")
    if rotation.length <= timedelta(0):
        raise RotationError(f"rotation {rotation.name} needs a length longer than zero")
    _aware(rotation.start, f"rotation {rotation.name}: the start")
    if rotation.handover is not None and rotation.length % timedelta(days=1):
        raise RotationError(f"rotation {rotation.name}: a hand-over time needs a length of whole days")
    for override in rotation.overrides:
        _aware(override.start, f"rotation {rotation.name}: the override for {override.person} from")
        _aware(override.end, f"rotation {rotation.name}: the override for {override.person} until")
        if override.end <= override.start:
            raise RotationError(
                f"rotation {rotation.name}: an override for {override.person} ends before it starts"
            )


def _boundary(rotation: Rotation, zone: ZoneInfo, index: int) -> datetime:
    """Where shift `index` starts: the rotation's start for the first, a hand-over for every later one."""
    if index == 0:
        return rotation.start.astimezone(UTC)
    if rotation.handover is None and rotation.length % timedelta(days=1):
        return rotation.start.astimezone(UTC) + index * rotation.length  # hours: elapsed time, DST or not
    if rotation.handover is None:
        return (rotation.start + index * rotation.length).astimezone(UTC)  # days: same local time
    day = rotation.start.astimezone(zone).date() + index * rotation.length
    return datetime.combine(day, rotation.handover, tzinfo=zone).astimezone(UTC)


def _layer(rotation: Rotation, window_start: datetime, window_end: datetime) -> list[Shift]:
    zone = _zone(rotation.timezone)
    shifts: list[Shift] = []
    index = max(0, (window_start - rotation.start) // rotation.length - 1)
    while index > 0 and _boundary(rotation, zone, index) > window_start:
        index -= 1
    while True:
        start, end = _boundary(rotation, zone, index), _boundary(rotation, zone, index + 1)
        if start >= window_end:
            return shifts
        if end > window_start:
            person = rotation.people[index % len(rotation.people)]
            shifts.append(Shift(person, max(start, window_start), min(end, window_end)))
        index += 1


def _cut(shifts: list[Shift], override: Shift) -> list[Shift]:
    result: list[Shift] = []
    for shift in shifts:
        if shift.end <= override.start or shift.start >= override.end:
            result.append(shift)
            continue
        if shift.start < override.start:
            result.append(Shift(shift.person, shift.start, override.start))
        result.append(Shift(override.person, max(shift.start, override.start), min(shift.end, override.end)))
        if shift.end > override.end:
            result.append(Shift(shift.person, override.end, shift.end))
    return result


def _merged(shifts: list[Shift]) -> list[Shift]:
    merged: list[Shift] = []
    for shift in shifts:
        if merged and merged[-1].person == shift.person and merged[-1].end == shift.start:
            merged[-1] = Shift(shift.person, merged[-1].start, shift.end)
        else:
            merged.append(shift)
    return merged


def shifts(rotation: Rotation, window_start: datetime, window_end: datetime) -> list[Shift]:
    """The shifts that overlap the window, clipped to it; overrides replace whoever was on call."""
    _aware(window_start, "window start")
    _aware(window_end, "window end")
    _check(rotation)
    layer = _layer(rotation, max(window_start, rotation.start.astimezone(UTC)), window_end)
    for override in sorted(rotation.overrides, key=lambda o: o.start):
        layer = _cut(
            layer, Shift(override.person, max(override.start, window_start), min(override.end, window_end))
        )
    return _merged([s for s in layer if s.end > s.start])


def holder_at(found: list[Shift], at: datetime) -> str | None:
    """Who is on call at `at` according to the shifts found, or None if nobody is."""
    _aware(at, "the instant")
    return next((s.person for s in found if s.start <= at < s.end), None)


def grant_windows(found: list[Shift], margin: timedelta) -> list[Shift]:
    """Each shift widened by the margin on both sides: hand-overs overlap by at most twice the margin."""
    return [Shift(s.person, s.start - margin, s.end + margin) for s in found]
