"""An access review campaign as values: its scope, its items (one standing assignment each, with a
reviewer), the decisions taken, and what closing it decides for the items nobody answered."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sojourn.access.review_settings import DeadlineAction, Revocation
from sojourn.access.state import Assignment, PrincipalType


class Verdict(StrEnum):
    CERTIFY = "certify"
    REVOKE = "revoke"


class Status(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Source(StrEnum):
    """Where a reviewed assignment comes from: a rule of the configuration, or outside it (drift)."""

    CONFIGURATION = "configuration"
    OUTSIDE = "outside"


DEADLINE_REVIEWER = "sojourn:deadline"
"""The reviewer recorded on decisions that closing a campaign took for unanswered items."""


@dataclass(frozen=True, slots=True)
class ReviewScope:
    """Which standing assignments a campaign covers; every filter given must match, none means all."""

    accounts: tuple[str, ...] = ()
    """Account ids or names."""
    permission_sets: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    """Members of these teams (and the teams' own group assignments)."""

    @property
    def everything(self) -> bool:
        return not (self.accounts or self.permission_sets or self.teams)


@dataclass(frozen=True, slots=True)
class ReviewItem:
    item_id: str
    assignment: Assignment
    source: Source
    reviewer: str | None
    """None when no candidate but the person under review was found: the item is unassignable."""
    why: tuple[str, ...] = ()
    """The rules that grant it (empty outside the configuration)."""
    account_name: str = ""

    @property
    def subject(self) -> str:
        """Who is under review: the person, or `group:<name>`."""
        a = self.assignment
        return a.principal if a.principal_type is PrincipalType.USER else f"group:{a.principal}"


@dataclass(frozen=True, slots=True)
class Decision:
    item_id: str
    verdict: Verdict
    reviewer: str
    comment: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Campaign:
    campaign_id: str
    name: str
    scope: ReviewScope
    created_by: str
    created_at: datetime
    deadline: datetime
    deadline_action: DeadlineAction
    items: tuple[ReviewItem, ...]
    decisions: tuple[Decision, ...] = ()
    status: Status = Status.OPEN
    closed_at: datetime | None = None
    reminded_at: datetime | None = None
    changes: tuple[tuple[str, str], ...] = ()
    """(item id, what was changed in the provider) for items removed directly (outside the configuration)."""

    def item(self, item_id: str) -> ReviewItem | None:
        return next((i for i in self.items if i.item_id == item_id), None)

    def decision_of(self, item_id: str) -> Decision | None:
        return next((d for d in self.decisions if d.item_id == item_id), None)

    def pending(self) -> tuple[ReviewItem, ...]:
        decided = {d.item_id for d in self.decisions}
        return tuple(i for i in self.items if i.item_id not in decided)

    def pending_for(self, reviewer: str) -> tuple[ReviewItem, ...]:
        return tuple(i for i in self.pending() if i.reviewer == reviewer)

    def unassignable(self) -> tuple[ReviewItem, ...]:
        return tuple(i for i in self.items if i.reviewer is None)


@dataclass(frozen=True, slots=True)
class CampaignSummary:
    """A campaign without its items, for lists."""

    campaign_id: str
    name: str
    status: Status
    created_by: str
    created_at: datetime
    deadline: datetime
    items: int
    decided: int


class CampaignNotFound(LookupError):
    """No campaign has this id."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a closed campaign changes: revocations for the configuration, removals outside it."""

    revocations: tuple[Revocation, ...] = ()
    outside_removals: tuple[Assignment, ...] = ()
    reported: tuple[ReviewItem, ...] = ()
    """Items left undecided at the deadline under `deadline_action: report`."""
    certified: tuple[ReviewItem, ...] = field(default=())
