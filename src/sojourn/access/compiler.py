"""Configuration + organisation + day -> the desired Identity Center state and who gets what, why."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase

from sojourn.access.config import AccessConfig, IdentitySource, Rule
from sojourn.access.issues import ConfigIssue
from sojourn.access.organization import Organization
from sojourn.access.selector import AccountIndex
from sojourn.access.state import AccessState, Assignment, GroupSpec, Membership, PrincipalType


@dataclass(frozen=True, slots=True)
class CompiledAccess:
    desired: AccessState
    effective: dict[str, dict[str, dict[str, tuple[str, ...]]]]
    """person -> account id -> permission set -> the rules (and teams) that grant it."""
    issues: tuple[ConfigIssue, ...]


def compile_access(config: AccessConfig, organization: Organization, *, today: date) -> CompiledAccess:
    """Expand every rule for the memberships active on `today`; supersession drops redundant grants."""
    index = AccountIndex(organization)
    issues: list[ConfigIssue] = []
    own_accounts = _own_accounts(config, index, issues)
    active = {
        name: tuple(m.person for m in team.members if m.active_on(today))
        for name, team in config.teams.items()
    }
    grants: dict[str, dict[str, dict[str, list[str]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    group_assignments: set[Assignment] = set()
    for rule in config.rules:
        _check_selector(rule, index, issues)
        selected_any = False
        for team in _matching(rule.teams, config.teams):
            accounts = index.select(rule.where, own_accounts.get(team))
            selected_any |= bool(accounts)
            reason = f"rule {rule.name} via team {team}"
            for person in active[team]:
                _grant(grants[person], accounts, rule.what, reason)
        if rule.people:
            accounts = index.select(rule.where)
            selected_any |= bool(accounts)
            for person in _matching(rule.people, config.people):
                _grant(grants[person], accounts, rule.what, f"rule {rule.name}")
        for group in _matching(rule.groups, _group_names(config)):
            accounts = index.select(rule.where)
            selected_any |= bool(accounts)
            group_assignments.update(
                Assignment(account, ps, PrincipalType.GROUP, group)
                for account in accounts
                for ps in rule.what
            )
        if not selected_any:
            message = f"rule {rule.name!r} selects no account in this organisation; check its selector"
            issues.append(rule.origin.issue(message, ".where"))
    _withdraw_revoked(config, grants, group_assignments)
    effective = _supersede(grants, config)
    assignments = {
        Assignment(account, ps, PrincipalType.USER, person)
        for person, accounts in effective.items()
        for account, sets in accounts.items()
        for ps in sets
    }
    assignments |= group_assignments
    desired = AccessState(
        permission_sets=dict(config.permission_sets),
        users=dict(config.people),
        groups=_team_groups(config),
        memberships=_team_memberships(config, active),
        assignments=frozenset(assignments),
    )
    return CompiledAccess(desired, effective, tuple(issues))


def selector_issues(config: AccessConfig, organization: Organization) -> tuple[ConfigIssue, ...]:
    """The accounts that selectors name and the organisation lacks; safe on a configuration with issues
    (nothing else is resolved), so they are reported in the same run as the others."""
    index = AccountIndex(organization)
    issues: list[ConfigIssue] = []
    _own_accounts(config, index, issues)
    for rule in config.rules:
        _check_selector(rule, index, issues)
    return tuple(issues)


def _own_accounts(
    config: AccessConfig, index: AccountIndex, issues: list[ConfigIssue]
) -> dict[str, frozenset[str]]:
    own: dict[str, frozenset[str]] = {}
    for name, team in config.teams.items():
        if team.accounts is None:
            own[name] = frozenset()
            continue
        for problem in index.unknown_references(team.accounts):
            issues.append(team.origin.issue(f"{problem}; fix the team's accounts selector", ".accounts"))
        own[name] = index.select(team.accounts)
    return own


def _check_selector(rule: Rule, index: AccountIndex, issues: list[ConfigIssue]) -> None:
    for problem in index.unknown_references(rule.where):
        issues.append(rule.origin.issue(f"{problem}; fix rule {rule.name!r}", ".where"))


def _matching(patterns: tuple[str, ...], names: object) -> list[str]:
    assert isinstance(names, dict)
    found: list[str] = []
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            found.extend(n for n in names if fnmatchcase(n, pattern) and n not in found)
        elif pattern in names and pattern not in found:
            found.append(pattern)
    return found


def _grant(
    person_grants: dict[str, dict[str, list[str]]],
    accounts: frozenset[str],
    what: tuple[str, ...],
    reason: str,
) -> None:
    for account in accounts:
        sets = person_grants[account]
        for ps in what:
            sets[ps].append(reason)


def _withdraw_revoked(
    config: AccessConfig,
    grants: dict[str, dict[str, dict[str, list[str]]]],
    group_assignments: set[Assignment],
) -> None:
    """Leave out what access reviews revoked (the `revocations:` section), before supersession."""
    for revoked in config.revocations:
        if revoked.principal_type is PrincipalType.GROUP:
            group_assignments.discard(
                Assignment(revoked.account_id, revoked.permission_set, PrincipalType.GROUP, revoked.principal)
            )
        elif revoked.principal in grants and revoked.account_id in grants[revoked.principal]:
            grants[revoked.principal][revoked.account_id].pop(revoked.permission_set, None)


def _supersede(
    grants: dict[str, dict[str, dict[str, list[str]]]], config: AccessConfig
) -> dict[str, dict[str, dict[str, tuple[str, ...]]]]:
    strong = {ps: weaker for ps, weaker in config.supersedes.items() if weaker}
    result: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {}
    for person, accounts in grants.items():
        per_account: dict[str, dict[str, tuple[str, ...]]] = {}
        for account, sets in accounts.items():
            dropped: set[str] = set()
            if strong:
                for ps in sets:
                    dropped |= strong.get(ps, frozenset())
            per_account[account] = {ps: tuple(r) for ps, r in sets.items() if ps not in dropped}
        result[person] = per_account
    return result


def _team_groups(config: AccessConfig) -> dict[str, GroupSpec]:
    if config.settings.identity_source is not IdentitySource.IDENTITY_CENTER:
        return {}
    return {name: GroupSpec(name, team.description) for name, team in config.teams.items()}


def _team_memberships(config: AccessConfig, active: dict[str, tuple[str, ...]]) -> frozenset[Membership]:
    if config.settings.identity_source is not IdentitySource.IDENTITY_CENTER:
        return frozenset()
    return frozenset(Membership(team, person) for team, people in active.items() for person in people)


def _group_names(config: AccessConfig) -> dict[str, str]:
    """Groups a rule may name: external groups, and with Identity Center as source, the teams' groups."""
    names = dict(config.groups)
    if config.settings.identity_source is IdentitySource.IDENTITY_CENTER:
        names.update({team: team for team in config.teams})
    return names
