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


def _base(rotation: Rotation, zone: ZoneInfo, window_start: datetime, window_end: datetime) -> list[Shift]:
    """The rotation's own shifts that overlap the window, whole (none before the rotation starts)."""
    found: list[Shift] = []
    index = max(0, (window_start - rotation.start) // rotation.length - 1)
    while index > 0 and _boundary(rotation, zone, index) > window_start:
        index -= 1
    while True:
        start, end = _boundary(rotation, zone, index), _boundary(rotation, zone, index + 1)
        if start >= window_end:
            return found
        if end > window_start:
            found.append(Shift(rotation.people[index % len(rotation.people)], start, end))
        index += 1


def _cut(pieces: list[Shift], override: Shift) -> list[Shift]:
    """The pieces with the override laid over them, whole: it replaces whoever it covers."""
    kept: list[Shift] = [override]
    for piece in pieces:
        if piece.end <= override.start or piece.start >= override.end:
            kept.append(piece)
            continue
        if piece.start < override.start:
            kept.append(Shift(piece.person, piece.start, override.start))
        if piece.end > override.end:
            kept.append(Shift(piece.person, override.end, piece.end))
    return sorted(kept, key=lambda piece: piece.start)


def _pieces(rotation: Rotation, base: list[Shift], clip: tuple[datetime, datetime] | None) -> list[Shift]:
    """The base shifts with every override laid over them in order of start (a later one wins), clipped to
    `clip` when given; overrides only count where the rotation runs."""
    first = rotation.start.astimezone(UTC)
    low, high = clip if clip is not None else (first, datetime.max.replace(tzinfo=UTC))
    pieces = [Shift(s.person, max(s.start, low), min(s.end, high)) for s in base]
    for override in sorted(rotation.overrides, key=lambda o: o.start):
        start, end = max(override.start, first, low), min(override.end, high)
        if end > start:
            pieces = _cut(pieces, Shift(override.person, start, end))
    return pieces


def _merged(pieces: list[Shift], keep_apart: frozenset[datetime] = frozenset()) -> list[Shift]:
    """Adjacent pieces of one person joined, except where they meet at an instant of `keep_apart`."""
    merged: list[Shift] = []
    for piece in pieces:
        if piece.end <= piece.start:
            continue
        last = merged[-1] if merged else None
        if last and last.person == piece.person and last.end == piece.start and piece.start not in keep_apart:
            merged[-1] = Shift(piece.person, last.start, piece.end)
        else:
            merged.append(piece)
    return merged


def shifts(rotation: Rotation, window_start: datetime, window_end: datetime) -> list[Shift]:
    """Who is on call during the window, clipped to it; overrides replace whoever was on call."""
    _aware(window_start, "window start")
    _aware(window_end, "window end")
    _check(rotation)
    zone = _zone(rotation.timezone)
    window = (window_start.astimezone(UTC), window_end.astimezone(UTC))
    return _merged(_pieces(rotation, _base(rotation, zone, *window), window))


def whole_shifts(rotation: Rotation, window_start: datetime, window_end: datetime) -> list[Shift]:
    """The shifts that overlap the window, each whole: where a shift starts and ends does not depend on the
    window asked about, so a shift can name a grant. Every hand-over of the rotation ends a shift (even one
    to the same person); an override is one shift, and the pieces of a shift it cuts are shifts."""
    _aware(window_start, "window start")
    _aware(window_end, "window end")
    _check(rotation)
    zone = _zone(rotation.timezone)
    low, high = window_start.astimezone(UTC), window_end.astimezone(UTC)
    while True:
        base = _base(rotation, zone, low, high)
        reach_low = min([low, *(s.start for s in base[:1])])
        reach_high = max([high, *(s.end for s in base[-1:])])
        for override in rotation.overrides:
            if override.start <= reach_high and override.end >= reach_low:
                reach_low, reach_high = min(reach_low, override.start), max(reach_high, override.end)
        if (reach_low, reach_high) == (low, high):
            break
        low, high = reach_low, reach_high
    hand_overs = frozenset(s.start for s in base)
    pieces = _merged(_pieces(rotation, base, None), keep_apart=hand_overs)
    start, end = window_start.astimezone(UTC), window_end.astimezone(UTC)
    return [piece for piece in pieces if piece.start < end and piece.end > start]


def holder_at(found: list[Shift], at: datetime) -> str | None:
    """Who is on call at `at` according to the shifts found, or None if nobody is."""
    _aware(at, "the instant")
    return next((s.person for s in found if s.start <= at < s.end), None)


def grant_windows(found: list[Shift], margin: timedelta) -> list[Shift]:
    """Each shift widened by the margin on both sides: hand-overs overlap by at most twice the margin."""
    return [Shift(s.person, s.start - margin, s.end + margin) for s in found]
