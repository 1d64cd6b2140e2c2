"""The approver's inbox and the approve and deny forms (never on one's own request)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sojourn.service.request_visibility import visible_request
from sojourn.web.guard import APPROVERS, OVERSEERS, Posted, PostedForm, SignedIn, Viewer, require
from sojourn.web.pages_access import MAX_TEXT, RequestId, detail_page
from sojourn.web.signin import context
from sojourn.web.templating import page
from sojourn.workflow.transitions import IllegalTransition, SelfApproval

router = APIRouter()


INBOX_PAGE = 50


def _inbox_values(request: Request, who: Viewer) -> dict[str, Any]:
    ctx = context(request)
    waiting = ctx.overview().inbox(who.user)
    return {
        "waiting": waiting[:INBOX_PAGE],
        "more": max(0, len(waiting) - INBOX_PAGE),
        "names": ctx.overview().account_names(),
    }


@router.get("/inbox", response_class=HTMLResponse)
def inbox(request: Request, who: SignedIn) -> HTMLResponse:
    require(who, *APPROVERS)
    return page(request, "inbox.html", who, title="Inbox", **_inbox_values(request, who))


@router.get("/live/inbox", response_class=HTMLResponse)
def inbox_live(request: Request, who: SignedIn) -> HTMLResponse:
    require(who, *APPROVERS)
    return page(request, "live_inbox.html", who, **_inbox_values(request, who))


def _decide(request: Request, request_id: str, who: Viewer, form: PostedForm, approve: bool) -> Response:
    require(who, *APPROVERS)
    fields = form.checked(who)
    jit = context(request).jit
    visible_request(jit, request_id, who.user, who.has(*OVERSEERS))
    comment = fields.get("comment", "").strip()[:MAX_TEXT]
    try:
        if approve:
            jit.approve(request_id, who.user, comment)
        else:
            jit.deny(request_id, who.user, comment)
    except SelfApproval:
        return detail_page(
            request, who, request_id, status=403,
            error="You may not approve or deny your own request; another approver must.",
        )  # fmt: skip
    except IllegalTransition as refused:
        return detail_page(request, who, request_id, status=409, error=str(refused))
    back = "/inbox" if fields.get("back") == "inbox" else f"/requests/{request_id}"
    return RedirectResponse(back, status_code=303)


@router.post("/requests/{request_id}/approve", response_model=None)
def approve(request: Request, request_id: RequestId, who: SignedIn, form: Posted) -> Response:
    return _decide(request, request_id, who, form, True)


@router.post("/requests/{request_id}/deny", response_model=None)
def deny(request: Request, request_id: RequestId, who: SignedIn, form: Posted) -> Response:
    return _decide(request, request_id, who, form, False)
