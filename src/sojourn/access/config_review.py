"""The `reviews:` and `revocations:` sections of the configuration -> core values and their references."""

from __future__ import annotations

from datetime import timedelta

from sojourn.access.config import Origin
from sojourn.access.config_model import ReviewsModel, RevocationModel, span_minutes
from sojourn.access.review_settings import DeadlineAction, ReviewerSource, ReviewSettings, Revocation
from sojourn.access.state import PrincipalType

Reference = tuple[str, str, Origin]


def review_settings(model: ReviewsModel, origin: Origin) -> tuple[ReviewSettings, list[Reference]]:
    """The review settings and every person and team they name (checked once all files are read)."""
    references: list[Reference] = []
    for team, leads in model.team_leads.items():
        references.append(("team", team, _at(origin, f".team_leads.{team}")))
        references += [("person", lead, _at(origin, f".team_leads.{team}")) for lead in leads]
    for account, owners in model.account_owners.items():
        references += [("person", owner, _at(origin, f".account_owners.{account}")) for owner in owners]
    references += [("person", person, _at(origin, ".people")) for person in model.people]
    settings = ReviewSettings(
        order=tuple(dict.fromkeys(ReviewerSource(source) for source in model.reviewers)),
        team_leads={team: tuple(leads) for team, leads in model.team_leads.items()},
        account_owners={account: tuple(owners) for account, owners in model.account_owners.items()},
        named=tuple(model.people),
        duration=timedelta(minutes=span_minutes(model.deadline)),
        deadline_action=DeadlineAction(model.deadline_action),
        remind_every=timedelta(minutes=span_minutes(model.remind_every)),
    )
    return settings, references


def revocation(model: RevocationModel, origin: Origin) -> tuple[Revocation, list[Reference]]:
    """One revoked assignment and the permission set (and person or team group) it names."""
    references: list[Reference] = [("permission_set", model.permission_set, _at(origin, ".permission_set"))]
    if model.person is not None:
        kind, principal = PrincipalType.USER, model.person
        references.append(("person", model.person, _at(origin, ".person")))
    else:
        assert model.group is not None
        kind, principal = PrincipalType.GROUP, model.group
        references.append(("group", model.group, _at(origin, ".group")))
    found = Revocation(
        model.account, model.permission_set, kind, principal, model.review, model.decided_by, model.comment
    )
    return found, references


def _at(origin: Origin, suffix: str) -> Origin:
    return Origin(origin.file, origin.line, origin.col, origin.field + suffix)
