"""Build a review campaign: the standing assignments in scope, each with a reviewer who is not under review.

Standing assignments are the configuration's desired ones (with the rules that grant them) together with
what the provider holds beyond them (drift, imported by hand); just-in-time grants are left out by the
caller. Reviewer candidates are tried in the configured order: the leads of the person's teams, the
owners of the account, then the named reviewers; the first who is not the subject gets the item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sojourn.access.config import AccessConfig
from sojourn.access.organization import Organization
from sojourn.access.review import Campaign, ReviewItem, ReviewScope, Source
from sojourn.access.review_settings import ReviewerSource, ReviewSettings
from sojourn.access.state import Assignment, PrincipalType

Effective = Mapping[str, Mapping[str, Mapping[str, tuple[str, ...]]]]
"""person -> account id -> permission set -> the rules that grant it (the compiler's `effective`)."""


@dataclass(frozen=True, slots=True)
class CampaignDraft:
    """What a campaign is started with, besides the assignments."""

    campaign_id: str
    name: str
    scope: ReviewScope
    created_by: str
    created_at: datetime


def build_campaign(
    draft: CampaignDraft,
    config: AccessConfig,
    organization: Organization,
    *,
    configured: Collection[Assignment],
    observed: Collection[Assignment],
    effective: Effective,
    today: date,
) -> Campaign:
    """The campaign over every standing assignment in scope, in a stable order, each item with a reviewer."""
    settings = config.reviews
    members = _active_members(config, today)
    chooser = _Reviewers(settings, members, organization)
    names = {a.id: a.name for a in organization.accounts}
    wanted = _ScopeFilter(draft.scope, members, names)
    desired = set(configured)
    items: list[ReviewItem] = []
    for assignment in sorted(desired.union(observed)):
        if not wanted(assignment):
            continue
        inside = assignment in desired
        why: tuple[str, ...] = ()
        if inside and assignment.principal_type is PrincipalType.USER:
            why = (
                effective.get(assignment.principal, {})
                .get(assignment.account_id, {})
                .get(assignment.permission_set, ())
            )
        elif inside:
            why = (f"group {assignment.principal}",)
        items.append(
            ReviewItem(
                f"i{len(items) + 1:06d}",
                assignment,
                Source.CONFIGURATION if inside else Source.OUTSIDE,
                chooser.reviewer_of(assignment),
                why,
                names.get(assignment.account_id, ""),
            )
        )
    return Campaign(
        draft.campaign_id,
        draft.name,
        draft.scope,
        draft.created_by,
        draft.created_at,
        draft.created_at + settings.duration,
        settings.deadline_action,
        tuple(items),
    )


def _active_members(config: AccessConfig, today: date) -> dict[str, frozenset[str]]:
    return {
        name: frozenset(m.person for m in team.members if m.active_on(today))
        for name, team in config.teams.items()
    }


class _ScopeFilter:
    def __init__(
        self, scope: ReviewScope, members: Mapping[str, frozenset[str]], names: Mapping[str, str]
    ) -> None:
        self.accounts = frozenset(a for a, n in names.items() if a in scope.accounts or n in scope.accounts)
        self.accounts |= frozenset(a for a in scope.accounts if a.isdigit())
        self.permission_sets = frozenset(scope.permission_sets)
        self.teams = frozenset(scope.teams)
        self.people = frozenset().union(*(members.get(t, frozenset()) for t in scope.teams))

    def __call__(self, a: Assignment) -> bool:
        if self.accounts and a.account_id not in self.accounts:
            return False
        if self.permission_sets and a.permission_set not in self.permission_sets:
            return False
        if self.teams:
            if a.principal_type is PrincipalType.USER:
                return a.principal in self.people
            return a.principal in self.teams
        return True


class _Reviewers:
    """Candidates per assignment in the configured order; never the person (or a member of the group)
    under review. Team leads are worked out once per principal, owners once per account."""

    def __init__(
        self, settings: ReviewSettings, members: Mapping[str, frozenset[str]], organization: Organization
    ) -> None:
        self.order = settings.order
        self.named = settings.named
        self.members = members
        self.leads = settings.team_leads
        self.teams_of: dict[str, list[str]] = defaultdict(list)
        for team in sorted(members):
            for person in members[team]:
                self.teams_of[person].append(team)
        owners = settings.account_owners
        self.owners = {a.id: owners.get(a.id, ()) + owners.get(a.name, ()) for a in organization.accounts}
        self.fallback_owners = owners
        self.principals: dict[tuple[PrincipalType, str], tuple[frozenset[str], tuple[str, ...]]] = {}

    def reviewer_of(self, a: Assignment) -> str | None:
        key = (a.principal_type, a.principal)
        known = self.principals.get(key)
        if known is None:
            known = self.principals[key] = self._principal(a)
        subjects, leads = known
        for source in self.order:
            if source is ReviewerSource.TEAM_LEAD:
                candidates = leads
            elif source is ReviewerSource.ACCOUNT_OWNER:
                candidates = self.owners.get(a.account_id) or self.fallback_owners.get(a.account_id, ())
            else:
                candidates = self.named
            for candidate in candidates:
                if candidate not in subjects:
                    return candidate
        return None

    def _principal(self, a: Assignment) -> tuple[frozenset[str], tuple[str, ...]]:
        """Who is under review, and the leads of their teams (of the group's team) in team order."""
        if a.principal_type is PrincipalType.USER:
            subjects, teams = frozenset({a.principal}), self.teams_of.get(a.principal, [])
        else:
            subjects, teams = self.members.get(a.principal, frozenset()), [a.principal]
        return subjects, tuple(lead for team in teams for lead in self.leads.get(team, ()))
