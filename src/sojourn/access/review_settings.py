"""The configuration's say on access reviews: who reviews, by when, what a missed deadline does, and the
assignments earlier reviews revoked (the compiler leaves those out of the desired state)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from sojourn.access.state import PrincipalType


class ReviewerSource(StrEnum):
    """Where a reviewer candidate comes from, tried in the configured order."""

    TEAM_LEAD = "team_lead"
    ACCOUNT_OWNER = "account_owner"
    NAMED = "named"


class DeadlineAction(StrEnum):
    """What closing a campaign does with the items nobody decided."""

    REVOKE = "revoke"
    REPORT = "report"


@dataclass(frozen=True, slots=True)
class ReviewSettings:
    order: tuple[ReviewerSource, ...] = (
        ReviewerSource.TEAM_LEAD,
        ReviewerSource.ACCOUNT_OWNER,
        ReviewerSource.NAMED,
    )
    team_leads: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """team -> its leads."""
    account_owners: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """account id or name -> its owners."""
    named: tuple[str, ...] = ()
    duration: timedelta = timedelta(days=14)
    deadline_action: DeadlineAction = DeadlineAction.REVOKE
    remind_every: timedelta = timedelta(days=3)


@dataclass(frozen=True, slots=True)
class Revocation:
    """One assignment a review revoked; it stays revoked while this entry is in the configuration."""

    account_id: str
    permission_set: str
    principal_type: PrincipalType
    principal: str
    campaign: str = ""
    decided_by: str = ""
    comment: str = ""
