"""Eligibility and break-glass entries of the configuration -> EligibilityRule values and their references."""

from __future__ import annotations

from datetime import timedelta

from sojourn.access.config import EligibilityRule, Origin, Selector
from sojourn.access.config_model import BreakGlassModel, EligibilityModel, span_minutes
from sojourn.access.issues import ConfigIssue

Reference = tuple[str, str, Origin]


def eligibility_rule(
    model: EligibilityModel | BreakGlassModel, where: Selector, origin: Origin, issues: list[ConfigIssue]
) -> tuple[EligibilityRule, list[Reference]]:
    glass = isinstance(model, BreakGlassModel)
    if not (model.who.teams or model.who.people):
        issues.append(origin.issue("say who may ask: teams or people", ".who"))
    if model.who.groups:
        issues.append(origin.issue("eligibility names teams or people, not groups", ".who.groups"))
    references: list[Reference] = [("permission_set", model.permission_set, origin)]
    references += [("team", t, origin) for t in model.who.teams]
    references += [("person", p, origin) for p in model.who.people]
    if isinstance(model, EligibilityModel):
        approvers = model.approvers
        references += [("team", t, origin) for t in approvers.teams]
        references += [("person", p, origin) for p in approvers.people]
        if not (approvers.teams or approvers.people or model.auto_approve):
            issues.append(origin.issue("name approvers (teams or people) or set auto_approve", ".approvers"))
        rule = EligibilityRule(
            model.name,
            tuple(model.who.teams),
            tuple(model.who.people),
            model.permission_set,
            where,
            timedelta(minutes=span_minutes(model.max_duration)),
            tuple(approvers.teams),
            tuple(approvers.people),
            approvers.count,
            model.reason_required,
            model.ticket_pattern,
            model.auto_approve,
            timedelta(minutes=span_minutes(model.answer_within)),
            origin=origin,
        )
        return rule, references
    assert glass
    rule = EligibilityRule(
        model.name,
        tuple(model.who.teams),
        tuple(model.who.people),
        model.permission_set,
        where,
        timedelta(minutes=span_minutes(model.max_duration)),
        approvals_required=0,
        break_glass=True,
        notify=tuple(model.notify),
        origin=origin,
    )
    return rule, references
