"""The dashboard's figures: standing against just-in-time hours per team and week, grants started per
day, and time to approval per day. Counting only; the pages draw them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median

from sojourn.access.compiler import compile_access
from sojourn.service.jit import JitService
from sojourn.workflow.grant_request import GrantRequest

WEEKS = 4
DAYS = 14


@dataclass(frozen=True, slots=True)
class TeamWeek:
    team: str
    week: date
    """The Monday the week starts on."""
    standing_hours: float
    jit_hours: float


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    value: float


@dataclass(frozen=True, slots=True)
class Dashboard:
    team_weeks: tuple[TeamWeek, ...]
    grants_per_day: tuple[DayCount, ...]
    approval_minutes: tuple[DayCount, ...]
    """The median minutes from request to the approval that granted it, per day (days without: absent)."""


def _overlap_hours(start: datetime, end: datetime, lo: datetime, hi: datetime) -> float:
    seconds = (min(end, hi) - max(start, lo)).total_seconds()
    return max(0.0, seconds / 3600)


def _granted_span(r: GrantRequest, now: datetime) -> tuple[datetime, datetime] | None:
    if r.starts_at is None:
        return None
    end = r.closed_at or r.ends_at or now
    return r.starts_at, min(end, now)


def dashboard(jit: JitService) -> Dashboard:
    now = jit.clock.now()
    today = now.date()
    found = jit.directory()
    requests = jit.requests()
    monday = today - timedelta(days=today.weekday())
    weeks = [monday - timedelta(weeks=n) for n in reversed(range(WEEKS))]
    effective = compile_access(found.config, found.organization, today=today).effective
    team_weeks = []
    for team in found.config.teams.values():
        members = {m.person for m in team.members if m.active_on(today)}
        standing_pairs = sum(len(sets) for person in members for sets in effective.get(person, {}).values())
        theirs = [r for r in requests if r.person in members]
        for week in weeks:
            lo = datetime.combine(week, time(), tzinfo=now.tzinfo)
            hi = min(lo + timedelta(weeks=1), now)
            if hi <= lo:
                continue
            standing = standing_pairs * (hi - lo).total_seconds() / 3600
            jit_hours = sum(
                _overlap_hours(*span, lo, hi) * len(r.accounts)
                for r in theirs
                if (span := _granted_span(r, now)) is not None
            )
            team_weeks.append(TeamWeek(team.name, week, round(standing, 1), round(jit_hours, 1)))
    days = [today - timedelta(days=n) for n in reversed(range(DAYS))]
    return Dashboard(
        tuple(team_weeks), tuple(_grants_per_day(requests, days)), tuple(_approval(requests, days))
    )


def _grants_per_day(requests: Iterable[GrantRequest], days: list[date]) -> list[DayCount]:
    counts = dict.fromkeys(days, 0)
    for r in requests:
        if r.starts_at is not None and r.starts_at.date() in counts:
            counts[r.starts_at.date()] += 1
    return [DayCount(day, n) for day, n in counts.items()]


def _approval(requests: Iterable[GrantRequest], days: list[date]) -> list[DayCount]:
    waits: dict[date, list[float]] = {day: [] for day in days}
    for r in requests:
        approvals = [d.at for d in r.decisions if d.approve]
        if len(approvals) >= r.approvals_required and approvals:
            at = sorted(approvals)[r.approvals_required - 1]
            if at.date() in waits:
                waits[at.date()].append((at - r.requested_at).total_seconds() / 60)
    return [DayCount(day, round(median(w), 1)) for day, w in waits.items() if w]
