"""Use cases of access reviews: start a campaign, list and show them, a reviewer's pending items, decide,
remind, close at the deadline. The outcome (configuration change, direct removals, evidence) is in
service/review_outcome.py. Every decision is stored together with its audit record.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sojourn.access.audit import AuditEvent
from sojourn.access.compiler import compile_access
from sojourn.access.config import AccessConfig
from sojourn.access.issues import ConfigInvalid
from sojourn.access.organization import Organization
from sojourn.access.review import (
    Campaign,
    CampaignSummary,
    Decision,
    ReviewItem,
    ReviewScope,
    Status,
    Verdict,
)
from sojourn.access.review_build import CampaignDraft, build_campaign
from sojourn.access.review_decide import ReviewRefused, deadline_decisions, decide
from sojourn.access.state import Assignment, PrincipalType
from sojourn.clock import Clock
from sojourn.service.bulk import collector_paused
from sojourn.service.config_files import read_config_sources
from sojourn.service.planning import known_pairs, load_config
from sojourn.service.ports.audit import AuditRepository
from sojourn.service.ports.grants import GrantRepository
from sojourn.service.ports.provider import Provider
from sojourn.service.ports.reviews import ReviewReminder, ReviewRepository
from sojourn.workflow.grant_request import HOLDS_ACCESS

__all__ = ["ReviewRefused", "ReviewService", "Reviewed"]

ProviderFor = Callable[[str | None, str | None], Provider]
"""The provider for a configuration's (region, instance ARN)."""


@dataclass(frozen=True, slots=True)
class Reviewed:
    """The configuration, organisation and provider a campaign was read against."""

    config: AccessConfig
    organization: Organization
    provider: Provider


class ReviewService:
    """The review use cases over the configuration at `config` and the provider it names."""

    def __init__(
        self,
        reviews: ReviewRepository,
        clock: Clock,
        config: Path,
        provider_for: ProviderFor,
        *,
        grants: GrantRepository | None = None,
        audit: AuditRepository | None = None,
        remind: ReviewReminder | None = None,
        new_id: Callable[[], str] = lambda: secrets.token_hex(4),
    ) -> None:
        self.reviews, self.clock, self.config_path = reviews, clock, config
        self.provider_for, self.grants, self.reminder, self.new_id = provider_for, grants, remind, new_id
        self.audit = audit
        """The audit log, read for what changed in the provider after a campaign closed (evidence)."""

    def read(self) -> Reviewed:
        """Read the configuration, then the organisation of the provider it names."""
        config = load_config(read_config_sources(self.config_path))
        provider = self.provider_for(config.settings.region, config.settings.instance_arn)
        return Reviewed(config, provider.read_organization(), provider)

    def start(self, name: str, scope: ReviewScope, actor: str) -> Campaign:
        """A campaign over the standing assignments in `scope` (configured and held in the provider; live
        just-in-time grants and assignments already revoked by a review are left out)."""
        if not actor:
            raise ReviewRefused("nobody to record as who started the campaign; set SOJOURN_ACTOR")
        with collector_paused():
            return self._start(name, scope, actor)

    def _start(self, name: str, scope: ReviewScope, actor: str) -> Campaign:
        now = self.clock.now()
        seen = self.read()
        compiled = compile_access(seen.config, seen.organization, today=now.date())
        if compiled.issues:
            raise ConfigInvalid(compiled.issues)
        configured = compiled.desired.assignments
        observed = seen.provider.read_state(
            seen.organization, known_pairs(compiled.desired)
        ).state.assignments
        left_out = self._live_grants() | {
            Assignment(r.account_id, r.permission_set, r.principal_type, r.principal)
            for r in seen.config.revocations
        }
        draft = CampaignDraft(
            f"rv-{now:%Y%m%d}-{self.new_id()}", name.strip() or f"review {now:%Y-%m-%d}", scope, actor, now
        )
        campaign = build_campaign(
            draft,
            seen.config,
            seen.organization,
            configured=configured - left_out,
            observed=observed - left_out,
            effective=compiled.effective,
            today=now.date(),
        )
        unassignable = len(campaign.unassignable())
        event = AuditEvent(
            at=now,
            actor=actor,
            action="review.start",
            reason=campaign.name,
            target=f"review campaign {campaign.campaign_id}",
            details={
                "campaign": campaign.campaign_id,
                "items": len(campaign.items),
                "unassignable": unassignable,
                "deadline": campaign.deadline.isoformat(),
                "deadline_action": campaign.deadline_action.value,
                "scope": {
                    "accounts": list(scope.accounts),
                    "permission_sets": list(scope.permission_sets),
                    "teams": list(scope.teams),
                },
            },
        )
        self.reviews.add(campaign, event)
        return campaign

    def campaigns(self, status: Status | None = None) -> list[CampaignSummary]:
        return self.reviews.campaigns(status)

    def show(self, campaign_id: str) -> Campaign:
        """The campaign; CampaignNotFound if there is none."""
        return self.reviews.get(campaign_id)

    def pending(self, reviewer: str) -> list[tuple[str, ReviewItem]]:
        """(campaign id, item) waiting for `reviewer`'s decision in open campaigns."""
        return self.reviews.pending_for(reviewer)

    def decide(
        self, campaign_id: str, item_id: str, reviewer: str, verdict: Verdict, comment: str
    ) -> Decision:
        """Certify or revoke one item as `reviewer`; ReviewRefused for self-review, the wrong reviewer, a
        decided item or a closed campaign."""
        campaign = self.reviews.get(campaign_id)
        decision = decide(campaign, item_id, reviewer, verdict, comment, self.clock.now())
        item = campaign.item(item_id)
        assert item is not None
        try:
            self.reviews.decide(campaign_id, decision, _decision_event(campaign, item, decision))
        except ValueError as error:
            raise ReviewRefused(str(error)) from None
        return decision

    def remind(self, campaign_id: str | None = None) -> dict[str, int]:
        """Tell every reviewer with undecided items (of one campaign, or of all open ones) how many wait;
        {reviewer: count}. Nothing is sent when no notification channel is configured."""
        if campaign_id is None:
            ids = [s.campaign_id for s in self.reviews.campaigns(Status.OPEN)]
        else:
            ids = [campaign_id]
        told: dict[str, int] = {}
        now = self.clock.now()
        for each in ids:
            campaign = self.reviews.get(each)
            if campaign.status is not Status.OPEN:
                raise ReviewRefused(f"campaign {each} is closed; nobody needs reminding")
            waiting: dict[str, int] = {}
            for item in campaign.pending():
                if item.reviewer is not None:
                    waiting[item.reviewer] = waiting.get(item.reviewer, 0) + 1
            for reviewer, count in sorted(waiting.items()):
                if self.reminder is not None:
                    self.reminder(
                        reviewer, campaign.campaign_id, campaign.name, count, campaign.deadline, now
                    )
                told[reviewer] = told.get(reviewer, 0) + count
            self.reviews.mark_reminded(each, now)
        return told

    def remind_due(self) -> dict[str, int]:
        """Remind for every open campaign not reminded within the configuration's `remind_every` (for a
        scheduler: run it as often as you like); {reviewer: count}."""
        every = load_config(read_config_sources(self.config_path)).reviews.remind_every
        now = self.clock.now()
        told: dict[str, int] = {}
        for summary in self.reviews.campaigns(Status.OPEN):
            reminded = self.reviews.get(summary.campaign_id).reminded_at
            if reminded is None or now - reminded >= every:
                for reviewer, count in self.remind(summary.campaign_id).items():
                    told[reviewer] = told.get(reviewer, 0) + count
        return told

    def close(self, campaign_id: str, actor: str, *, early: bool = False) -> Campaign:
        """Close at or after the deadline, revoking (or reporting) what nobody decided; `early` closes before
        the deadline and leaves undecided items undecided. The closed campaign back."""
        campaign = self.reviews.get(campaign_id)
        now = self.clock.now()
        taken = deadline_decisions(campaign, now, early=early)
        events = [_decision_event(campaign, item, d) for d in taken if (item := campaign.item(d.item_id))]
        events.append(
            AuditEvent(
                at=now,
                actor=actor or "sojourn",
                action="review.close",
                reason="deadline" if now >= campaign.deadline else "closed early",
                target=f"review campaign {campaign_id}",
                details={
                    "campaign": campaign_id,
                    "deadline_revocations": len(taken),
                    "undecided": len(campaign.pending()) - len(taken),
                },
            )
        )
        try:
            self.reviews.close(campaign_id, taken, now, events)
        except ValueError as error:
            raise ReviewRefused(str(error)) from None
        return self.reviews.get(campaign_id)

    def close_due(self, actor: str = "sojourn") -> list[str]:
        """Close every open campaign whose deadline has passed (for a scheduler; safe to run twice at once);
        the ids this call closed."""
        now = self.clock.now()
        due = [s.campaign_id for s in self.reviews.campaigns(Status.OPEN) if s.deadline <= now]
        closed = []
        for campaign_id in due:
            try:
                self.close(campaign_id, actor)
            except ReviewRefused:
                continue  # another scheduler closed it first
            closed.append(campaign_id)
        return closed

    def _live_grants(self) -> set[Assignment]:
        if self.grants is None:
            return set()
        return {
            Assignment(account, r.permission_set, PrincipalType.USER, r.person)
            for r in self.grants.requests(states=tuple(HOLDS_ACCESS))
            for account in r.accounts
        }


def _decision_event(campaign: Campaign, item: ReviewItem, decision: Decision) -> AuditEvent:
    a = item.assignment
    return AuditEvent(
        at=decision.at,
        actor=decision.reviewer,
        action=f"review.{decision.verdict.value}",
        reason=decision.comment,
        target=f"{a.permission_set} for {item.subject} on {a.account_id} (review {campaign.campaign_id})",
        person=a.principal if a.principal_type is PrincipalType.USER else None,
        account_id=a.account_id,
        permission_set=a.permission_set,
        details={
            "campaign": campaign.campaign_id,
            "item": item.item_id,
            "source": item.source.value,
            "principal_type": a.principal_type.value,
            "principal": a.principal,
        },
    )
