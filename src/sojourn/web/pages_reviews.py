"""Access reviews on the web: campaigns, a campaign's items, certify or revoke (the same review use cases
as the CLI and the API), start and close for admins, the evidence for auditors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sojourn.access.api_token import Role
from sojourn.access.review import ReviewScope, Status, Verdict
from sojourn.access.review_decide import ReviewRefused
from sojourn.access.review_evidence import evidence_csv, evidence_html
from sojourn.service.review_outcome import config_change, evidence, remove_outside
from sojourn.service.reviews import ReviewService
from sojourn.web.guard import (
    APPROVERS,
    OVERSEERS,
    REVIEWERS,
    NotAllowed,
    Posted,
    SignedIn,
    Viewer,
    require,
)
from sojourn.web.pages_access import MAX_TEXT
from sojourn.web.signin import context
from sojourn.web.templating import page, report_page

router = APIRouter()
CampaignId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
ItemId = Annotated[str, Path(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]


def _service(request: Request) -> ReviewService:
    found = context(request).reviews
    if found is None:
        raise NotAllowed("access reviews are not served by this instance; start it with a configuration")
    return found


def _names(values: list[str]) -> tuple[str, ...]:
    return tuple(v.strip() for value in values for v in value.split(",") if v.strip())[:100]


@router.get("/reviews", response_class=HTMLResponse)
def campaigns(request: Request, who: SignedIn) -> HTMLResponse:
    require(who, *REVIEWERS)
    service = _service(request)
    mine = service.pending(who.user) if who.has(*APPROVERS) else []
    return page(
        request, "reviews.html", who, title="Access reviews", campaigns=service.campaigns(), mine=mine,
        error="",
    )  # fmt: skip


@router.post("/reviews", response_model=None)
def start(request: Request, who: SignedIn, form: Posted) -> Response:
    require(who, Role.ADMIN)
    fields = form.checked(who)
    scope = ReviewScope(
        _names([str(v) for v in form.every("accounts")]),
        _names([str(v) for v in form.every("permission_sets")]),
        _names([str(v) for v in form.every("teams")]),
    )
    service = _service(request)
    try:
        started = service.start(fields.get("name", "")[:200], scope, who.user)
    except (ReviewRefused, ValueError) as refused:
        return page(
            request, "reviews.html", who, status=409, title="Access reviews",
            campaigns=service.campaigns(), mine=service.pending(who.user), error=str(refused),
        )  # fmt: skip
    return RedirectResponse(f"/reviews/{started.campaign_id}", status_code=303)


def campaign_page(
    request: Request, who: Viewer, campaign_id: str, *, status: int = 200, error: str = "", notice: str = ""
) -> HTMLResponse:
    campaign = _service(request).show(campaign_id)
    return page(
        request, "review.html", who, status=status, title=f"Review {campaign.name}", c=campaign,
        error=error, notice=notice, open=campaign.status is Status.OPEN,
    )  # fmt: skip


@router.get("/reviews/{campaign_id}", response_class=HTMLResponse)
def show(request: Request, campaign_id: CampaignId, who: SignedIn) -> HTMLResponse:
    require(who, *REVIEWERS)
    return campaign_page(request, who, campaign_id)


@router.post("/reviews/{campaign_id}/items/{item_id}", response_model=None)
def decide(
    request: Request, campaign_id: CampaignId, item_id: ItemId, who: SignedIn, form: Posted
) -> Response:
    require(who, *APPROVERS)
    fields = form.checked(who)
    verdict = fields.get("decision", "")
    if verdict not in ("certify", "revoke"):
        return campaign_page(request, who, campaign_id, status=400, error="choose certify or revoke")
    try:
        _service(request).decide(
            campaign_id, item_id, who.user, Verdict(verdict), fields.get("comment", "").strip()[:MAX_TEXT]
        )
    except ReviewRefused as refused:
        return campaign_page(request, who, campaign_id, status=403, error=str(refused))
    return RedirectResponse(f"/reviews/{campaign_id}", status_code=303)


@router.post("/reviews/{campaign_id}/close", response_model=None)
def close(request: Request, campaign_id: CampaignId, who: SignedIn, form: Posted) -> Response:
    require(who, Role.ADMIN)
    fields = form.checked(who)
    service = _service(request)
    try:
        if service.show(campaign_id).status is Status.OPEN:
            service.close(campaign_id, who.user, early=fields.get("early") == "yes")
        change = config_change(service, campaign_id, write=True)
        removed = remove_outside(service, campaign_id, who.user)
    except ReviewRefused as refused:
        return campaign_page(request, who, campaign_id, status=409, error=str(refused))
    notice = (
        f"Closed. {change.revocations} revocation(s) written to {change.path.name}; "
        "run `sojourn plan` and `sojourn apply` to remove them from AWS."
    )
    if removed:
        notice += f" {sum(r.ok for r in removed)} assignment(s) outside the configuration removed."
    return campaign_page(request, who, campaign_id, notice=notice)


@router.get("/reviews/{campaign_id}/evidence.csv", response_model=None)
def evidence_file(request: Request, campaign_id: CampaignId, who: SignedIn) -> Response:
    require(who, *OVERSEERS)
    _, rows = evidence(_service(request), campaign_id)
    return Response(
        evidence_csv(rows),
        media_type="text/csv",
        headers={"content-disposition": f'attachment; filename="evidence-{campaign_id}.csv"'},
    )


@router.get("/reviews/{campaign_id}/evidence", response_class=HTMLResponse)
def evidence_report(request: Request, campaign_id: CampaignId, who: SignedIn) -> HTMLResponse:
    require(who, *OVERSEERS)
    campaign, rows = evidence(_service(request), campaign_id)
    return report_page(request, evidence_html(campaign, rows))
