"""On-call rotations: hand-overs at local time across DST, overrides, clipping, no gaps and no overlaps."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sojourn.workflow.rotations import Rotation, RotationError, Shift, grant_windows, holder_at, shifts

BERLIN = ZoneInfo("Europe/Berlin")
WEEKLY = Rotation(
    "prod-weekly",
    ("alice", "bob", "carol"),
    datetime(2026, 10, 19, 9, 0, tzinfo=BERLIN),
    timedelta(days=7),
    "Europe/Berlin",
    time(9, 0),
)


def test_weekly_handover_stays_at_nine_local_across_the_dst_change() -> None:
    found = shifts(WEEKLY, datetime(2026, 10, 19, 7, 0, tzinfo=UTC), datetime(2026, 11, 9, 8, 0, tzinfo=UTC))
    assert [s.person for s in found] == ["alice", "bob", "carol"]
    # summer time (UTC+2) until 25 October, winter time (UTC+1) after
    assert found[0].start == datetime(2026, 10, 19, 7, 0, tzinfo=UTC)
    assert found[1].start == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    assert found[2].start == datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def test_an_override_splits_a_shift_into_three() -> None:
    override = Shift(
        "dave", datetime(2026, 10, 21, 8, 0, tzinfo=UTC), datetime(2026, 10, 22, 8, 0, tzinfo=UTC)
    )
    rotation = Rotation(
        WEEKLY.name, WEEKLY.people, WEEKLY.start, WEEKLY.length, WEEKLY.timezone, WEEKLY.handover, (override,)
    )
    found = shifts(
        rotation, datetime(2026, 10, 19, 7, 0, tzinfo=UTC), datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    )
    assert [(s.person, s.start.day, s.end.day) for s in found] == [
        ("alice", 19, 21),
        ("dave", 21, 22),
        ("alice", 22, 26),
    ]


def test_boundaries_are_start_inclusive_end_exclusive_and_margins_overlap() -> None:
    found = shifts(WEEKLY, datetime(2026, 10, 19, 7, 0, tzinfo=UTC), datetime(2026, 11, 2, 8, 0, tzinfo=UTC))
    handover = datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    assert holder_at(found, handover - timedelta(microseconds=1)) == "alice"
    assert holder_at(found, handover) == "bob"
    windows = grant_windows(found, timedelta(minutes=5))
    assert windows[0].end - windows[1].start == timedelta(minutes=10)


def test_bad_rotations_are_refused_with_a_reason() -> None:
    with pytest.raises(RotationError, match="nobody"):
        shifts(Rotation("r", (), WEEKLY.start, WEEKLY.length), WEEKLY.start, WEEKLY.start + WEEKLY.length)
    with pytest.raises(RotationError, match="time zone"):
        shifts(
            Rotation("r", ("a",), WEEKLY.start, WEEKLY.length, "Mars/Olympus"),
            WEEKLY.start,
            WEEKLY.start + WEEKLY.length,
        )


@settings(max_examples=60, deadline=None)
@given(
    people=st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4),
    hours=st.integers(min_value=1, max_value=24 * 9),
    offset=st.integers(min_value=0, max_value=24 * 30),
    span=st.integers(min_value=1, max_value=24 * 40),
    cut=st.tuples(st.integers(0, 24 * 40), st.integers(1, 72)),
)
def test_shifts_cover_the_window_without_gap_or_overlap(
    people: list[str], hours: int, offset: int, span: int, cut: tuple[int, int]
) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    override = Shift("z", start + timedelta(hours=cut[0]), start + timedelta(hours=cut[0] + cut[1]))
    rotation = Rotation("r", tuple(people), start, timedelta(hours=hours), overrides=(override,))
    window_start, window_end = start + timedelta(hours=offset), start + timedelta(hours=offset + span)
    found = shifts(rotation, window_start, window_end)
    assert found[0].start == window_start and found[-1].end == window_end
    assert all(a.end == b.start for a, b in itertools.pairwise(found))
    assert all(a.person != b.person for a, b in itertools.pairwise(found))
