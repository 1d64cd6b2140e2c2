"""The review repository: campaigns, their items and decisions, each change stored with its audit record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sojourn.access.audit import AuditEvent
from sojourn.access.review import Campaign, CampaignNotFound, CampaignSummary, Decision, ReviewItem, Status

__all__ = ["CampaignNotFound", "ReviewReminder", "ReviewRepository"]


class ReviewRepository(Protocol):
    """What the review use cases need of the store; every write carries its audit record (both or neither)."""

    def add(self, campaign: Campaign, event: AuditEvent) -> None:
        """Store a new campaign with all its items."""
        ...

    def get(self, campaign_id: str) -> Campaign:
        """The campaign with its items, decisions and changes; CampaignNotFound if there is none."""
        ...

    def campaigns(self, status: Status | None = None) -> list[CampaignSummary]:
        """Campaigns, newest first, optionally in one status."""
        ...

    def pending_for(self, reviewer: str) -> list[tuple[str, ReviewItem]]:
        """(campaign id, item) of every undecided item assigned to `reviewer` in an open campaign."""
        ...

    def decide(self, campaign_id: str, decision: Decision, event: AuditEvent) -> None:
        """Store one decision; ValueError if the item was decided already or the campaign is closed."""
        ...

    def close(
        self, campaign_id: str, decisions: Sequence[Decision], at: datetime, events: Sequence[AuditEvent]
    ) -> None:
        """Store the deadline's decisions and close the campaign; ValueError if it was closed already."""
        ...

    def record_change(self, campaign_id: str, item_id: str, detail: str, event: AuditEvent) -> None:
        """Note what was changed in the provider for one item (a direct removal)."""
        ...

    def mark_reminded(self, campaign_id: str, at: datetime) -> None: ...


class ReviewReminder(Protocol):
    """Tell `reviewer` at `at` that `count` items of campaign `campaign_id` wait for them until `deadline`."""

    def __call__(
        self, reviewer: str, campaign_id: str, name: str, count: int, deadline: datetime, at: datetime, /
    ) -> None: ...
