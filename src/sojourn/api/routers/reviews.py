"""Access reviews: campaigns (admins start, remind and close them), the items waiting for the caller,
decisions (never on one's own access, only on items assigned to the caller), and evidence for auditors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from sojourn.access.review import Campaign, CampaignSummary, ReviewItem, ReviewScope, Status, Verdict
from sojourn.access.review_evidence import evidence_csv
from sojourn.api.callers import Role, require
from sojourn.api.dependencies import CurrentUser, ReviewsDep
from sojourn.api.errors import ERRORS
from sojourn.api.review_schemas import (
    CampaignIn,
    CampaignOut,
    CampaignSummaryOut,
    ClosedOut,
    CloseIn,
    DecisionIn,
    DecisionOut,
    EvidenceOut,
    ItemOut,
    PendingOut,
    RemindedOut,
)
from sojourn.api.schemas import Problem
from sojourn.service.review_outcome import config_change, evidence, remove_outside

router = APIRouter(tags=["reviews"])
CampaignId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
ItemId = Annotated[str, Path(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]
ON_CAMPAIGN: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    404: {"model": Problem, "description": "no such campaign, or no access reviews served here"},
    409: {"model": Problem},
}
READERS = (Role.ADMIN, Role.AUDITOR, Role.APPROVER)


@router.get("/v1/reviews", responses=ON_CAMPAIGN)
def campaigns(
    who: CurrentUser, reviews: ReviewsDep, status: Annotated[Status | None, Query()] = None
) -> list[CampaignSummaryOut]:
    require(who, *READERS, scope="reviews:read")
    return [_summary(s) for s in reviews.campaigns(status)]


@router.post("/v1/reviews", responses=ON_CAMPAIGN, status_code=201)
def start(body: CampaignIn, who: CurrentUser, reviews: ReviewsDep) -> CampaignOut:
    require(who, Role.ADMIN, scope="reviews:admin")
    scope = ReviewScope(tuple(body.accounts), tuple(body.permission_sets), tuple(body.teams))
    return _campaign(reviews.start(body.name, scope, who.user_name))


@router.get("/v1/reviews/mine", responses=ON_CAMPAIGN)
def mine(who: CurrentUser, reviews: ReviewsDep) -> list[PendingOut]:
    require(who, Role.APPROVER, Role.ADMIN, scope="reviews:write")
    return [PendingOut(campaign=c, item=_item(i, None)) for c, i in reviews.pending(who.user_name)]


@router.get("/v1/reviews/{campaign_id}", responses=ON_CAMPAIGN)
def show(campaign_id: CampaignId, who: CurrentUser, reviews: ReviewsDep) -> CampaignOut:
    require(who, *READERS, scope="reviews:read")
    return _campaign(reviews.show(campaign_id))


@router.post("/v1/reviews/{campaign_id}/items/{item_id}/decision", responses=ON_CAMPAIGN)
def decide(
    campaign_id: CampaignId, item_id: ItemId, body: DecisionIn, who: CurrentUser, reviews: ReviewsDep
) -> DecisionOut:
    require(who, Role.APPROVER, Role.ADMIN, scope="reviews:write")
    d = reviews.decide(campaign_id, item_id, who.user_name, Verdict(body.decision), body.comment)
    return DecisionOut(
        item=d.item_id, decision=d.verdict.value, decided_by=d.reviewer, decided_at=d.at, comment=d.comment
    )


@router.post("/v1/reviews/{campaign_id}/remind", responses=ON_CAMPAIGN)
def remind(campaign_id: CampaignId, who: CurrentUser, reviews: ReviewsDep) -> RemindedOut:
    require(who, Role.ADMIN, scope="reviews:admin")
    return RemindedOut(reviewers=reviews.remind(campaign_id))


@router.post("/v1/reviews/{campaign_id}/close", responses=ON_CAMPAIGN)
def close(campaign_id: CampaignId, body: CloseIn, who: CurrentUser, reviews: ReviewsDep) -> ClosedOut:
    require(who, Role.ADMIN, scope="reviews:admin")
    if reviews.show(campaign_id).status is Status.OPEN:
        reviews.close(campaign_id, who.user_name, early=body.early)
    change = config_change(reviews, campaign_id, write=body.write)
    removed = remove_outside(reviews, campaign_id, who.user_name) if body.write else []
    summary = next(s for s in reviews.campaigns() if s.campaign_id == campaign_id)
    return ClosedOut(
        campaign=_summary(summary),
        revocations=change.revocations,
        config_file=change.path.name,
        patch=change.patch,
        written=change.written,
        removed_outside=[
            f"{r.assignment.permission_set} for {r.assignment.principal} on {r.assignment.account_id}: "
            + ("removed" if r.ok else "failed")
            for r in removed
        ],
    )


@router.get("/v1/reviews/{campaign_id}/evidence", responses=ON_CAMPAIGN)
def evidence_rows(campaign_id: CampaignId, who: CurrentUser, reviews: ReviewsDep) -> list[EvidenceOut]:
    require(who, Role.ADMIN, Role.AUDITOR, scope="reviews:read")
    _, rows = evidence(reviews, campaign_id)
    return [EvidenceOut(**{c: getattr(r, c) for c in EvidenceOut.model_fields}) for r in rows]


@router.get(
    "/v1/reviews/{campaign_id}/evidence.csv",
    responses={**ON_CAMPAIGN, 200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def evidence_file(campaign_id: CampaignId, who: CurrentUser, reviews: ReviewsDep) -> Response:
    require(who, Role.ADMIN, Role.AUDITOR, scope="reviews:read")
    _, rows = evidence(reviews, campaign_id)
    return Response(evidence_csv(rows), media_type="text/csv")


def _summary(s: CampaignSummary) -> CampaignSummaryOut:
    return CampaignSummaryOut(
        id=s.campaign_id,
        name=s.name,
        status=s.status.value,
        created_by=s.created_by,
        created_at=s.created_at,
        deadline=s.deadline,
        items=s.items,
        decided=s.decided,
    )


def _item(i: ReviewItem, c: Campaign | None) -> ItemOut:
    d = c.decision_of(i.item_id) if c is not None else None
    return ItemOut(
        item=i.item_id,
        subject=i.subject,
        account_id=i.assignment.account_id,
        account_name=i.account_name,
        permission_set=i.assignment.permission_set,
        source=i.source.value,
        granted_by=list(i.why),
        reviewer=i.reviewer,
        decision=d.verdict.value if d else None,
        decided_by=d.reviewer if d else None,
        decided_at=d.at if d else None,
        comment=d.comment if d else None,
    )


def _campaign(c: Campaign) -> CampaignOut:
    return CampaignOut(
        id=c.campaign_id,
        name=c.name,
        status=c.status.value,
        created_by=c.created_by,
        created_at=c.created_at,
        deadline=c.deadline,
        deadline_action=c.deadline_action.value,
        closed_at=c.closed_at,
        items=[_item(i, c) for i in c.items],
    )
