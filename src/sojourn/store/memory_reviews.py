"""The in-memory twin of the review store: campaigns in a dictionary, audit records under the log's lock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sojourn.access.audit import AuditEvent
from sojourn.access.review import Campaign, CampaignNotFound, CampaignSummary, Decision, ReviewItem, Status
from sojourn.store.memory_audit import MemoryAuditLog, utc


class MemoryReviewStore:
    def __init__(self, audit: MemoryAuditLog) -> None:
        self._audit = audit
        self._campaigns: dict[str, Campaign] = {}

    def add(self, campaign: Campaign, event: AuditEvent) -> None:
        with self._audit.lock:
            if campaign.campaign_id in self._campaigns:
                raise ValueError(f"a campaign with id {campaign.campaign_id!r} exists already")
            record = self._audit.prepare(event)
            self._campaigns[campaign.campaign_id] = replace(
                campaign, created_at=utc(campaign.created_at), deadline=utc(campaign.deadline)
            )
            self._audit.commit(record)

    def get(self, campaign_id: str) -> Campaign:
        with self._audit.lock:
            found = self._campaigns.get(campaign_id)
        if found is None:
            raise CampaignNotFound(f"no review campaign {campaign_id!r}; see `sojourn review list`")
        return found

    def campaigns(self, status: Status | None = None) -> list[CampaignSummary]:
        with self._audit.lock:
            chosen = [c for c in self._campaigns.values() if status is None or c.status is status]
        chosen.sort(key=lambda c: c.campaign_id)
        chosen.sort(key=lambda c: c.created_at, reverse=True)
        return [
            CampaignSummary(
                c.campaign_id,
                c.name,
                c.status,
                c.created_by,
                c.created_at,
                c.deadline,
                len(c.items),
                len(c.decisions),
            )
            for c in chosen
        ]

    def pending_for(self, reviewer: str) -> list[tuple[str, ReviewItem]]:
        with self._audit.lock:
            open_ones = sorted(
                (c for c in self._campaigns.values() if c.status is Status.OPEN), key=lambda c: c.campaign_id
            )
        return [(c.campaign_id, item) for c in open_ones for item in c.pending_for(reviewer)]

    def decide(self, campaign_id: str, decision: Decision, event: AuditEvent) -> None:
        with self._audit.lock:
            campaign = self.get(campaign_id)
            if campaign.status is not Status.OPEN:
                raise ValueError(f"campaign {campaign_id} is not open; decisions are final")
            if campaign.decision_of(decision.item_id) is not None:
                raise ValueError(f"item {decision.item_id} of campaign {campaign_id} was decided already")
            record = self._audit.prepare(event)
            stored = replace(decision, at=utc(decision.at))
            self._campaigns[campaign_id] = replace(campaign, decisions=(*campaign.decisions, stored))
            self._audit.commit(record)

    def close(
        self, campaign_id: str, decisions: Sequence[Decision], at: datetime, events: Sequence[AuditEvent]
    ) -> None:
        with self._audit.lock:
            campaign = self.get(campaign_id)
            if campaign.status is not Status.OPEN:
                raise ValueError(f"campaign {campaign_id} is closed already")
            added = tuple(replace(d, at=utc(d.at)) for d in decisions)
            self._campaigns[campaign_id] = replace(
                campaign,
                decisions=campaign.decisions + added,
                status=Status.CLOSED,
                closed_at=utc(at),
            )
            for event in events:
                self._audit.commit(self._audit.prepare(event))

    def record_change(self, campaign_id: str, item_id: str, detail: str, event: AuditEvent) -> None:
        with self._audit.lock:
            campaign = self.get(campaign_id)
            record = self._audit.prepare(event)
            changes = (*(c for c in campaign.changes if c[0] != item_id), (item_id, detail))
            self._campaigns[campaign_id] = replace(campaign, changes=tuple(sorted(changes)))
            self._audit.commit(record)

    def mark_reminded(self, campaign_id: str, at: datetime) -> None:
        with self._audit.lock:
            campaign = self.get(campaign_id)
            self._campaigns[campaign_id] = replace(campaign, reminded_at=utc(at))
