"""Eligibility and break-glass entries of the configuration -> EligibilityRule values and their references."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sojourn.access.config import EligibilityRule, OnCallSchedule, Origin, Selector
from sojourn.access.config_model import BreakGlassModel, EligibilityModel, OnCallModel, span_minutes
from sojourn.access.issues import ConfigIssue
from sojourn.workflow.opening import Terms
from sojourn.workflow.rotations import Rotation, RotationError, Shift, shifts

Reference = tuple[str, str, Origin]


def eligibility_rule(
    model: EligibilityModel | BreakGlassModel, where: Selector, origin: Origin, issues: list[ConfigIssue]
) -> tuple[EligibilityRule, list[Reference]]:
    glass = isinstance(model, BreakGlassModel)
    if not (model.who.teams or model.who.people):
        issues.append(origin.issue("say who may ask: teams or people", ".who"))
    if model.who.groups:
        issues.append(origin.issue("eligibility names teams or people, not groups", ".who.groups"))
    teams, people = tuple(model.who.teams), tuple(model.who.people)
    references: list[Reference] = [("permission_set", model.permission_set, origin)]
    references += [("team", t, origin) for t in teams]
    references += [("person", p, origin) for p in people]
    if isinstance(model, EligibilityModel):
        approvers = model.approvers
        references += [("team", t, origin) for t in approvers.teams]
        references += [("person", p, origin) for p in approvers.people]
        if not (approvers.teams or approvers.people or model.auto_approve or model.auto_approve_when_on_call):
            issues.append(origin.issue("name approvers (teams or people) or set auto_approve", ".approvers"))
        terms = Terms(
            model.name,
            model.permission_set,
            timedelta(minutes=span_minutes(model.max_duration)),
            approvers.count,
            model.reason_required,
            model.ticket_pattern,
            model.auto_approve,
            timedelta(minutes=span_minutes(model.answer_within)),
            auto_approve_on_call=model.auto_approve_when_on_call,
        )
        rule = EligibilityRule(
            terms, teams, people, where, tuple(approvers.teams), tuple(approvers.people), origin
        )
        if model.auto_approve_when_on_call:
            references.append(("on_call", model.auto_approve_when_on_call, origin))
        return rule, references
    assert glass
    terms = Terms(
        model.name,
        model.permission_set,
        timedelta(minutes=span_minutes(model.max_duration)),
        approvals_required=0,
        break_glass=True,
        notify=tuple(model.notify),
    )
    rule = EligibilityRule(terms, teams, people, where, origin=origin)
    return rule, references


def on_call_schedule(
    model: OnCallModel, where: Selector, origin: Origin, issues: list[ConfigIssue]
) -> tuple[OnCallSchedule, list[Reference]]:
    references: list[Reference] = [("permission_set", model.permission_set, origin)]
    references += [("person", p, origin) for p in model.people]
    references += [("person", o.person, origin) for o in model.overrides]
    margin = timedelta(minutes=0 if model.margin.strip() in ("0m", "0h") else span_minutes(model.margin))
    rotation = None
    if model.ics_url and model.people:
        issues.append(origin.issue("give either people (a rotation) or ics_url (a feed), not both"))
    elif model.people:
        if model.start is None:
            issues.append(origin.issue("a rotation needs a start, e.g. 2026-11-23T09:00:00+01:00", ".start"))
        else:
            rotation = _rotation(model, origin, issues)
    elif not model.ics_url:
        issues.append(origin.issue("name the people of the rotation or an ics_url feed"))
    schedule = OnCallSchedule(
        model.name,
        model.permission_set,
        where,
        rotation,
        model.ics_url,
        model.person_pattern,
        model.person_from,
        margin,
        origin,
    )
    return schedule, references


def _rotation(model: OnCallModel, origin: Origin, issues: list[ConfigIssue]) -> Rotation | None:
    assert model.start is not None
    zone = model.timezone
    start = model.start
    if start.tzinfo is None:
        try:
            start = start.replace(tzinfo=ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            issues.append(
                origin.issue(
                    f"unknown time zone {zone!r}; use an IANA name such as Europe/Berlin", ".timezone"
                )
            )
            return None
    handover = time.fromisoformat(model.handover) if model.handover else None
    overrides = tuple(Shift(o.person, _aware(o.since, zone), _aware(o.until, zone)) for o in model.overrides)
    rotation = Rotation(
        model.name,
        tuple(model.people),
        start,
        timedelta(minutes=span_minutes(model.length)),
        zone,
        handover,
        overrides,
    )
    try:
        shifts(rotation, start, start + rotation.length)
    except RotationError as error:
        issues.append(origin.issue(str(error)))
        return None
    except OverflowError:
        issues.append(
            origin.issue("the rotation's shifts run past the dates Sojourn can hold; start it earlier")
        )
        return None
    return rotation


def _aware(value: datetime, zone: str) -> datetime:
    try:
        return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return value.replace(tzinfo=UTC)
