"""The pure rules of a campaign's life: who may decide an item, and what closing it decides and changes."""

from __future__ import annotations

from datetime import datetime

from sojourn.access.review import (
    DEADLINE_REVIEWER,
    Campaign,
    Decision,
    Outcome,
    Source,
    Status,
    Verdict,
)
from sojourn.access.review_settings import DeadlineAction, Revocation
from sojourn.access.state import PrincipalType


class ReviewRefused(ValueError):
    """A decision or a close that the campaign's rules do not allow; the message says why and what to do."""


class NotTheReviewer(ReviewRefused):
    """The item is the decider's own access, or is assigned to someone else."""


def decide(
    campaign: Campaign, item_id: str, reviewer: str, verdict: Verdict, comment: str, at: datetime
) -> Decision:
    """The decision `reviewer` takes on one item; ReviewRefused for self-review, the wrong reviewer, a
    closed campaign, an item already decided, or a revocation without a comment."""
    item = campaign.item(item_id)
    if item is None:
        raise ReviewRefused(
            f"campaign {campaign.campaign_id} has no item {item_id!r}; see `sojourn review show`"
        )
    if campaign.status is not Status.OPEN:
        raise ReviewRefused(f"campaign {campaign.campaign_id} is closed; decisions are final")
    if reviewer == item.subject or (
        item.assignment.principal_type is PrincipalType.USER and reviewer == item.assignment.principal
    ):
        raise NotTheReviewer(f"{reviewer} may not review their own access ({item_id}); another reviewer must")
    if item.reviewer != reviewer:
        holder = item.reviewer or "nobody (unassignable; add a reviewer to the configuration's reviews)"
        raise NotTheReviewer(f"item {item_id} is assigned to {holder}, not {reviewer}")
    earlier = campaign.decision_of(item_id)
    if earlier is not None:
        raise ReviewRefused(f"item {item_id} was already decided ({earlier.verdict}) by {earlier.reviewer}")
    if verdict is Verdict.REVOKE and not comment.strip():
        raise ReviewRefused("say why the access should go with --comment; auditors read it")
    return Decision(item_id, verdict, reviewer, comment.strip(), at)


def deadline_decisions(campaign: Campaign, at: datetime, *, early: bool = False) -> tuple[Decision, ...]:
    """The decisions closing takes at `at`: revoke every unanswered item when the deadline action is revoke.

    ReviewRefused if the campaign is closed, or if the deadline has not come and items are still open
    (unless `early`, which closes without applying the deadline action to them).
    """
    if campaign.status is not Status.OPEN:
        raise ReviewRefused(f"campaign {campaign.campaign_id} is closed already")
    pending = campaign.pending()
    if at < campaign.deadline and pending and not early:
        raise ReviewRefused(
            f"campaign {campaign.campaign_id} has {len(pending)} undecided item(s) and its deadline "
            f"{campaign.deadline:%Y-%m-%d %H:%M} UTC has not come; wait, or close with --early"
        )
    if (early and at < campaign.deadline) or campaign.deadline_action is DeadlineAction.REPORT:
        return ()
    comment = "not certified by the deadline"
    return tuple(Decision(i.item_id, Verdict.REVOKE, DEADLINE_REVIEWER, comment, at) for i in pending)


def outcome_of(campaign: Campaign) -> Outcome:
    """What the decisions change: configuration items become revocations, others direct removals."""
    revocations: list[Revocation] = []
    outside = []
    certified = []
    for item in campaign.items:
        decision = campaign.decision_of(item.item_id)
        if decision is None:
            continue
        if decision.verdict is Verdict.CERTIFY:
            certified.append(item)
            continue
        a = item.assignment
        if item.source is Source.CONFIGURATION:
            revocations.append(
                Revocation(
                    a.account_id,
                    a.permission_set,
                    a.principal_type,
                    a.principal,
                    campaign.campaign_id,
                    decision.reviewer,
                    decision.comment,
                )
            )
        else:
            outside.append(a)
    return Outcome(tuple(revocations), tuple(outside), campaign.pending(), tuple(certified))
