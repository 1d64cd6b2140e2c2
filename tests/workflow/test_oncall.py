"""On-call as a whole in the pure core: shifts of a rotation, who holds them, and the grant windows that
follow from them (window clipping, exact boundaries, spring-forward hand-overs, no gap at any instant).

The unit tests of the rotation itself are in test_rotations.py.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sojourn.workflow.rotations import (
    Rotation,
    RotationError,
    Shift,
    grant_windows,
    holder_at,
    shifts,
    whole_shifts,
)

BERLIN = ZoneInfo("Europe/Berlin")
WEEKLY = Rotation(
    "prod-weekly",
    ("alice", "bob", "carol"),
    datetime(2026, 3, 16, 9, 0, tzinfo=BERLIN),
    timedelta(days=7),
    "Europe/Berlin",
    time(9, 0),
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_the_hand_over_stays_at_nine_local_when_the_clocks_go_forward() -> None:
    found = shifts(WEEKLY, utc(2026, 3, 16), utc(2026, 4, 6, 12))
    # winter time (UTC+1) until 29 March 2026, summer time (UTC+2) after
    assert found == [
        Shift("alice", utc(2026, 3, 16, 8), utc(2026, 3, 23, 8)),
        Shift("bob", utc(2026, 3, 23, 8), utc(2026, 3, 30, 7)),
        Shift("carol", utc(2026, 3, 30, 7), utc(2026, 4, 6, 7)),
        Shift("alice", utc(2026, 4, 6, 7), utc(2026, 4, 6, 12)),
    ]
    assert found[1].end - found[1].start == timedelta(days=7) - timedelta(hours=1)


def test_a_window_inside_one_shift_is_clipped_at_both_ends() -> None:
    assert shifts(WEEKLY, utc(2026, 3, 24), utc(2026, 3, 25)) == [
        Shift("bob", utc(2026, 3, 24), utc(2026, 3, 25))
    ]


def test_a_window_far_from_the_start_lands_on_the_right_person() -> None:
    # 53 weeks after the start: hand-over 53 goes to carol (53 % 3 == 2) from bob (52 % 3 == 1);
    # 22 March 2027 is still winter time (the clocks change on the 28th), so 09:00 is 08:00 UTC
    found = shifts(WEEKLY, utc(2027, 3, 22), utc(2027, 3, 23))
    assert found == [
        Shift("bob", utc(2027, 3, 22), utc(2027, 3, 22, 8)),
        Shift("carol", utc(2027, 3, 22, 8), utc(2027, 3, 23)),
    ]


def test_holder_at_the_exact_boundaries() -> None:
    window_start, window_end = utc(2026, 3, 16, 8), utc(2026, 3, 30, 7)
    found = shifts(WEEKLY, window_start, window_end)
    assert holder_at(found, window_start) == "alice"
    assert holder_at(found, window_start - timedelta(microseconds=1)) is None
    assert holder_at(found, utc(2026, 3, 23, 8) - timedelta(microseconds=1)) == "alice"
    assert holder_at(found, utc(2026, 3, 23, 8)) == "bob"
    assert holder_at(found, window_end - timedelta(microseconds=1)) == "bob"
    assert holder_at(found, window_end) is None
    assert holder_at([], window_start) is None


def test_nobody_holds_a_rotation_before_it_starts() -> None:
    found = shifts(WEEKLY, utc(2026, 3, 1), utc(2026, 3, 17))
    assert found[0] == Shift("alice", utc(2026, 3, 16, 8), utc(2026, 3, 17))
    assert holder_at(found, utc(2026, 3, 10)) is None


def test_grant_windows_overlap_at_each_hand_over_by_twice_the_margin() -> None:
    found = shifts(WEEKLY, utc(2026, 3, 16, 8), utc(2026, 4, 6, 7))
    windows = grant_windows(found, timedelta(minutes=5))
    assert windows[1] == Shift("bob", utc(2026, 3, 23, 7, 55), utc(2026, 3, 30, 7, 5))
    assert [a.end - b.start for a, b in itertools.pairwise(windows)] == [timedelta(minutes=10)] * 2
    assert grant_windows(found, timedelta(0)) == found


def test_an_override_hands_its_grant_over_like_any_shift() -> None:
    override = Shift("dave", utc(2026, 3, 18, 12), utc(2026, 3, 19, 12))
    rotation = Rotation(
        WEEKLY.name, WEEKLY.people, WEEKLY.start, WEEKLY.length, WEEKLY.timezone, WEEKLY.handover, (override,)
    )
    windows = grant_windows(shifts(rotation, utc(2026, 3, 16, 8), utc(2026, 3, 23, 8)), timedelta(minutes=1))
    assert [(w.person, w.start, w.end) for w in windows] == [
        ("alice", utc(2026, 3, 16, 7, 59), utc(2026, 3, 18, 12, 1)),
        ("dave", utc(2026, 3, 18, 11, 59), utc(2026, 3, 19, 12, 1)),
        ("alice", utc(2026, 3, 19, 11, 59), utc(2026, 3, 23, 8, 1)),
    ]


@settings(max_examples=80, deadline=None)
@given(
    people=st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=5),
    days=st.integers(min_value=1, max_value=14),
    handover=st.times(),
    start_at=st.one_of(st.none(), st.times()),
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]),
    offset=st.integers(min_value=0, max_value=24 * 400),
    span=st.integers(min_value=1, max_value=24 * 60),
    margin=st.integers(min_value=0, max_value=120),
    cuts=st.lists(st.tuples(st.integers(0, 24 * 420), st.integers(1, 96), st.sampled_from("xy")), max_size=3),
)
def test_every_instant_of_the_window_is_granted_to_its_holder(
    people: list[str],
    days: int,
    handover: time,
    start_at: time | None,
    zone: str,
    offset: int,
    span: int,
    margin: int,
    cuts: list[tuple[int, int, str]],
) -> None:
    """Local hand-over times in zones with DST, starts on or off the hand-over time: the shifts tile the
    window, and the grant windows cover every instant for its holder, never overlapping a neighbour by more
    than twice the margin."""
    start = datetime.combine(date(2026, 1, 5), handover if start_at is None else start_at, ZoneInfo(zone))
    base = start.astimezone(UTC)
    overrides = tuple(
        Shift(person, base + timedelta(hours=at), base + timedelta(hours=at + length))
        for at, length, person in cuts
    )
    rotation = Rotation("r", tuple(people), start, timedelta(days=days), zone, handover, overrides)
    window_start, window_end = base + timedelta(hours=offset), base + timedelta(hours=offset + span)
    found = shifts(rotation, window_start, window_end)
    assert found[0].start == window_start and found[-1].end == window_end
    assert all(a.end == b.start and a.person != b.person for a, b in itertools.pairwise(found))
    windows = grant_windows(found, timedelta(minutes=margin))
    assert all(a.end - b.start == 2 * timedelta(minutes=margin) for a, b in itertools.pairwise(windows))
    for shift, window in zip(found, windows, strict=True):
        for at in (shift.start, shift.end - timedelta(microseconds=1)):
            assert holder_at(found, at) == shift.person
            assert window.person == shift.person and window.start <= at < window.end


@settings(max_examples=80, deadline=None)
@given(
    people=st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=4),
    days=st.integers(min_value=1, max_value=10),
    handover=st.times(),
    start_at=st.times(),
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]),
    day=st.integers(min_value=0, max_value=364),
)
def test_the_first_member_holds_from_the_start_and_later_hand_overs_keep_their_local_time(
    people: list[str], days: int, handover: time, start_at: time, zone: str, day: int
) -> None:
    """Whatever the start's time of day: no gap after the start, the first member holds it, and every
    later hand-over is at the hand-over time on a day a whole number of lengths after the start's day."""
    local = ZoneInfo(zone)
    start = datetime.combine(date(2026, 1, 1) + timedelta(days=day), start_at, tzinfo=local)
    rotation = Rotation("r", tuple(people), start, timedelta(days=days), zone, handover)
    window_end = start + timedelta(days=4 * days + 1)
    found = shifts(rotation, start - timedelta(days=1), window_end)
    assert found[0].start == start and found[-1].end == window_end
    assert holder_at(found, start) == people[0]
    assert holder_at(found, start - timedelta(microseconds=1)) is None
    assert all(a.end == b.start for a, b in itertools.pairwise(found))
    first_day = start.astimezone(local).date()
    for k in range(1, 5):
        handing = datetime.combine(first_day + timedelta(days=k * days), handover, tzinfo=local)
        if handing.astimezone(UTC) < window_end.astimezone(UTC):
            assert holder_at(found, handing) == people[k % len(people)]
            assert holder_at(found, handing - timedelta(microseconds=1)) == people[(k - 1) % len(people)]
    assert {a.end for a in found[:-1]} <= {
        datetime.combine(first_day + timedelta(days=k * days), handover, tzinfo=local).astimezone(UTC)
        for k in range(1, 6)
    }


NAIVE = datetime(2026, 3, 16)


def test_a_naive_window_is_refused_with_a_reason() -> None:
    message = "window start 2026-03-16 00:00 has no time zone; pass aware datetimes"
    with pytest.raises(RotationError, match=message):
        shifts(WEEKLY, NAIVE, datetime(2026, 3, 23))
    with pytest.raises(RotationError, match="window end 2026-03-23 00:00 has no time zone"):
        shifts(WEEKLY, utc(2026, 3, 16), datetime(2026, 3, 23))
    with pytest.raises(RotationError, match="instant 2026-03-16 00:00 has no time zone"):
        holder_at(shifts(WEEKLY, utc(2026, 3, 16), utc(2026, 3, 23)), NAIVE)


def test_a_naive_rotation_start_or_override_is_refused_with_a_reason() -> None:
    naive_start = Rotation("r", ("a",), datetime(2026, 3, 16, 9), WEEKLY.length, "Europe/Berlin", time(9))
    with pytest.raises(RotationError, match="rotation r: the start 2026-03-16 09:00 has no time zone"):
        shifts(naive_start, utc(2026, 3, 16), utc(2026, 3, 23))
    override = Shift("dave", NAIVE, utc(2026, 3, 17))
    naive_override = Rotation("r", ("a",), WEEKLY.start, WEEKLY.length, overrides=(override,))
    with pytest.raises(RotationError, match="override for dave from 2026-03-16 00:00 has no time zone"):
        shifts(naive_override, utc(2026, 3, 16), utc(2026, 3, 23))


def test_a_start_before_the_hand_over_time_is_held_by_the_first_member_until_the_first_hand_over() -> None:
    rotation = Rotation(
        "r", ("a", "b"), datetime(2026, 3, 16, 8, tzinfo=BERLIN), WEEKLY.length, "Europe/Berlin", time(9)
    )
    assert shifts(rotation, utc(2026, 3, 16, 7), utc(2026, 3, 17)) == [
        Shift("a", utc(2026, 3, 16, 7), utc(2026, 3, 17))
    ]
    # 08:00 local on the 16th to 09:00 local a week later, then b; 6 April is in summer time (UTC+2)
    assert shifts(rotation, utc(2026, 3, 1), utc(2026, 4, 7)) == [
        Shift("a", utc(2026, 3, 16, 7), utc(2026, 3, 23, 8)),
        Shift("b", utc(2026, 3, 23, 8), utc(2026, 3, 30, 7)),
        Shift("a", utc(2026, 3, 30, 7), utc(2026, 4, 6, 7)),
        Shift("b", utc(2026, 4, 6, 7), utc(2026, 4, 7)),
    ]


def test_a_start_after_the_hand_over_time_gives_the_first_member_a_shorter_first_shift() -> None:
    rotation = Rotation(
        "r", ("a", "b"), datetime(2026, 3, 16, 15, tzinfo=BERLIN), WEEKLY.length, "Europe/Berlin", time(9)
    )
    assert shifts(rotation, utc(2026, 3, 16), utc(2026, 3, 24)) == [
        Shift("a", utc(2026, 3, 16, 14), utc(2026, 3, 23, 8)),
        Shift("b", utc(2026, 3, 23, 8), utc(2026, 3, 24)),
    ]


@pytest.mark.parametrize("day", [date(2025, 3, 9), date(2025, 11, 2)])
def test_hourly_shifts_last_an_hour_across_a_daylight_saving_change(day: date) -> None:
    """New York skips 02:00-03:00 in March and repeats 01:00-02:00 in November: nobody is skipped, nobody
    holds two hours."""
    new_york = ZoneInfo("America/New_York")
    start = datetime.combine(day, time(0), tzinfo=new_york)
    rotation = Rotation("hourly", ("a", "b", "c", "d"), start, timedelta(hours=1), "America/New_York")
    found = shifts(rotation, start.astimezone(UTC), start.astimezone(UTC) + timedelta(hours=8))
    assert [s.person for s in found] == ["a", "b", "c", "d", "a", "b", "c", "d"]
    assert all(s.end - s.start == timedelta(hours=1) for s in found)


@settings(max_examples=100, deadline=None)
@given(
    people=st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=4),
    hours=st.integers(min_value=1, max_value=24 * 28),
    handover=st.one_of(st.none(), st.times()),
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "UTC"]),
    at=st.integers(min_value=0, max_value=24 * 120),
    before=st.tuples(st.integers(0, 24 * 30), st.integers(0, 24 * 30)),
    cuts=st.lists(
        st.tuples(st.integers(0, 24 * 120), st.integers(1, 24 * 10), st.sampled_from("axy")), max_size=3
    ),
)
def test_a_whole_shift_does_not_depend_on_the_window_asked_about(
    people: list[str],
    hours: int,
    handover: time | None,
    zone: str,
    at: int,
    before: tuple[int, int],
    cuts: list[tuple[int, int, str]],
) -> None:
    """Two windows around the same instant find the same whole shift holding it, with or without overrides;
    clipped to a window and joined per person, the whole shifts are what `shifts` answers for it."""
    length = timedelta(hours=hours)
    start = datetime.combine(date(2026, 3, 1), time(9), ZoneInfo(zone))
    base = start.astimezone(UTC)
    overrides = tuple(
        Shift(person, base + timedelta(hours=h), base + timedelta(hours=h + n)) for h, n, person in cuts
    )
    rotation = Rotation(
        "r",
        tuple(people),
        start,
        length,
        zone,
        handover if length % timedelta(days=1) == timedelta(0) else None,
        overrides,
    )
    instant = base + timedelta(hours=at, minutes=7)
    one, two = (
        whole_shifts(rotation, instant - timedelta(hours=b), instant + timedelta(minutes=1)) for b in before
    )
    holding = [[s for s in found if s.start <= instant < s.end] for found in (one, two)]
    assert holding[0] == holding[1] and len(holding[0]) == 1
    assert holding[0][0].person == holder_at(shifts(rotation, base, instant + timedelta(hours=1)), instant)
    assert all(a.end == b.start for a, b in itertools.pairwise(one))
    low, high = instant - timedelta(hours=before[0]), instant + timedelta(minutes=1)
    clipped = [Shift(s.person, max(s.start, low), min(s.end, high)) for s in one]
    joined: list[Shift] = []
    for piece in clipped:
        if joined and joined[-1].person == piece.person:
            joined[-1] = Shift(piece.person, joined[-1].start, piece.end)
        else:
            joined.append(piece)
    assert joined == shifts(rotation, low, high)
