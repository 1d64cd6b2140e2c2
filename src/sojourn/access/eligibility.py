"""Eligibility rules resolved for one person on one day: concrete accounts and approvers."""

from __future__ import annotations

from datetime import date

from sojourn.access.config import AccessConfig, EligibilityRule
from sojourn.access.organization import Organization
from sojourn.access.selector import AccountIndex
from sojourn.workflow.opening import Eligibility


def teams_of(config: AccessConfig, person: str, today: date) -> tuple[str, ...]:
    return tuple(
        sorted(
            name
            for name, team in config.teams.items()
            if any(m.person == person and m.active_on(today) for m in team.members)
        )
    )


def members(config: AccessConfig, teams: tuple[str, ...], today: date) -> frozenset[str]:
    found: set[str] = set()
    for name in teams:
        team = config.teams.get(name)
        if team is not None:
            found |= {m.person for m in team.members if m.active_on(today)}
    return frozenset(found)


def resolve_eligibility(
    config: AccessConfig, organization: Organization, person: str, today: date
) -> list[Eligibility]:
    """Every rule that names the person (directly or through a team active today), resolved."""
    index = AccountIndex(organization)
    mine = teams_of(config, person, today)
    found = []
    for rule in config.eligibility:
        via = [t for t in rule.teams if t in mine]
        if not via and person not in rule.people:
            continue
        own = frozenset().union(*(_own(config, index, t) for t in via)) if via else None
        accounts = index.select(rule.where, own)
        found.append(_resolved(config, rule, accounts, today))
    return found


def _own(config: AccessConfig, index: AccountIndex, team: str) -> frozenset[str]:
    selector = config.teams[team].accounts
    return index.select(selector) if selector is not None else frozenset()


def _resolved(
    config: AccessConfig, rule: EligibilityRule, accounts: frozenset[str], today: date
) -> Eligibility:
    approvers = members(config, rule.approver_teams, today) | frozenset(rule.approver_people)
    return Eligibility(rule.terms, accounts, approvers)
