"""On-call grants as the worker sees them tick after tick: one grant per shift whatever the rotation's length
(an hour to four weeks), with an identity and an end that do not depend on when the tick happens."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from sojourn.access.config import AccessConfig, OnCallSchedule, Selector, Settings
from sojourn.access.organization import Account, Organization
from sojourn.access.state import UserSpec
from sojourn.service.oncall import on_call_grants
from sojourn.workflow.rotations import Rotation, Shift

PEOPLE = ("alice", "bob", "carol")
ORG = Organization((Account("111111111111", "prod", "/prod"),))


def _config(rotation: Rotation, margin: timedelta) -> AccessConfig:
    schedule = OnCallSchedule("prod", "prod-admin", Selector(all=True), rotation, margin=margin)
    people = {name: UserSpec(name, name.title(), f"{name}@example.org") for name in PEOPLE}
    return AccessConfig(Settings(), people, {}, {}, {}, {}, (), on_call=(schedule,))


def _boundary(rotation: Rotation, k: int) -> datetime:
    """Where shift k starts, from the rotation's definition (the oracle the grants are checked against)."""
    if k == 0:
        return rotation.start.astimezone(UTC)
    zone = ZoneInfo(rotation.timezone)
    if rotation.handover is not None:
        day = rotation.start.astimezone(zone).date() + k * rotation.length
        return datetime.combine(day, rotation.handover, tzinfo=zone).astimezone(UTC)
    if rotation.length % timedelta(days=1):
        return rotation.start.astimezone(UTC) + k * rotation.length
    return (rotation.start.astimezone(zone) + k * rotation.length).astimezone(UTC)


def _expected(rotation: Rotation, margin: timedelta, at: datetime, shifts: int) -> set[Shift]:
    """The grant windows that hold at `at`: every shift widened by the margin on both sides."""
    found = set()
    for k in range(shifts):
        start, end = _boundary(rotation, k) - margin, _boundary(rotation, k + 1) + margin
        if start <= at < end:
            found.add(Shift(rotation.people[k % len(rotation.people)], start, end))
    return found


@settings(max_examples=120, deadline=None)
@given(
    hours=st.integers(min_value=1, max_value=24 * 28),
    handover=st.one_of(st.none(), st.times(), st.just(time(9))),
    starts_at=st.times(),
    zone=st.sampled_from(["Europe/Berlin", "UTC", "America/New_York"]),
    day=st.integers(min_value=0, max_value=364),
    people=st.integers(min_value=1, max_value=3),
    margin=st.integers(min_value=0, max_value=60),
    ticks=st.lists(st.floats(min_value=0, max_value=4.0, allow_nan=False), min_size=1, max_size=25),
)
def test_one_grant_per_shift_ending_at_the_shift_end_plus_the_margin(
    hours: int,
    handover: time | None,
    starts_at: time,
    zone: str,
    day: int,
    people: int,
    margin: int,
    ticks: list[float],
) -> None:
    """Rotations of every length over four hand-overs, in zones with daylight saving (Berlin's spring and
    autumn changes are in the range of `day`), ticked at arbitrary instants: each tick sees exactly the
    shifts whose widened window holds it, and a shift keeps one identity and one end from tick to tick."""
    length = timedelta(hours=hours)
    if length % timedelta(days=1):
        handover = None
    start = datetime.combine(date(2026, 1, 1) + timedelta(days=day), starts_at, tzinfo=ZoneInfo(zone))
    rotation = Rotation("prod", PEOPLE[:people], start, length, zone, handover)
    config, grace = _config(rotation, timedelta(minutes=margin)), timedelta(minutes=margin)
    seen: dict[str, Shift] = {}
    for fraction in ticks:
        at = start.astimezone(UTC) + fraction * length
        grants = on_call_grants(config, ORG, at, lambda url: None)
        windows = {Shift(g.person, g.start, g.end) for g in grants}
        assert len(windows) == len(grants)
        assert windows == _expected(rotation, grace, at, shifts=6)
        for grant in grants:
            assert seen.setdefault(grant.id, Shift(grant.person, grant.start, grant.end)) == Shift(
                grant.person, grant.start, grant.end
            )
    assert len(set(seen.values())) == len(seen)
