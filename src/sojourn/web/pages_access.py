"""A person's own pages: my access, the request form, a request with its history, cancel and revoke."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sojourn.access.api_token import Role
from sojourn.service.request_visibility import visible_request
from sojourn.web.guard import APPROVERS, EVERYONE, OVERSEERS, Posted, SignedIn, Viewer, require
from sojourn.web.history import history
from sojourn.web.signin import context
from sojourn.web.templating import page
from sojourn.workflow.grant_request import HOLDS_ACCESS, GrantRequest, State
from sojourn.workflow.transitions import IllegalTransition

router = APIRouter()
RequestId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
MAX_TEXT = 2000


def _my_access_values(request: Request, who: Viewer) -> dict[str, Any]:
    ctx = context(request)
    overview = ctx.overview()
    return {
        "mine": overview.my_access(who.user),
        "names": overview.account_names(),
        "now": ctx.clock.now(),
    }


@router.get("/", response_class=HTMLResponse)
def my_access(request: Request, who: SignedIn) -> HTMLResponse:
    require(who, *EVERYONE)
    return page(request, "my_access.html", who, title="My access", **_my_access_values(request, who))


@router.get("/live/my-access", response_class=HTMLResponse)
def my_access_live(request: Request, who: SignedIn) -> HTMLResponse:
    require(who, *EVERYONE)
    return page(request, "live_my_access.html", who, **_my_access_values(request, who))


def _form(
    request: Request, who: Viewer, *, status: int = 200, error: str = "", sent: dict[str, str] | None = None
) -> HTMLResponse:
    overview = context(request).overview()
    return page(
        request,
        "request_form.html",
        who,
        status=status,
        title="Request access",
        eligible=overview.jit.eligible(who.user),
        names=overview.account_names(),
        error=error,
        sent=sent or {},
    )


@router.get("/request", response_class=HTMLResponse)
def request_form(request: Request, who: SignedIn) -> HTMLResponse:
    require(who, *EVERYONE)
    return _form(request, who)


@router.post("/request", response_model=None)
def send_request(request: Request, who: SignedIn, form: Posted) -> Response:
    require(who, *EVERYONE)
    fields = form.checked(who)
    accounts = tuple(str(a) for a in form.every("accounts"))[:100]
    permission_set = fields.get("permission_set", "")
    reason = fields.get("reason", "").strip()[:MAX_TEXT]
    ticket = fields.get("ticket", "").strip()[:128] or None
    try:
        hours = float(fields.get("hours", ""))
    except ValueError:
        hours = 0.0
    problem = ""
    if not accounts:
        problem = "choose at least one account"
    elif not reason:
        problem = "give a reason"
    elif not 0 < hours <= 24 * 30:
        problem = "give a duration in hours (for example 1 or 0.5)"
    if problem:
        return _form(request, who, status=400, error=problem, sent=fields)
    try:
        made = context(request).jit.request(
            who.user,
            permission_set,
            accounts,
            timedelta(hours=hours),
            reason,
            ticket,
            fields.get("break_glass") == "yes",
        )
    except (IllegalTransition, ValueError) as refused:
        return _form(request, who, status=403, error=str(refused), sent=fields)
    return RedirectResponse(f"/requests/{made.id}", status_code=303)


def _sees_all(who: Viewer) -> bool:
    return who.has(*OVERSEERS)


def _detail_values(request: Request, who: Viewer, request_id: str) -> dict[str, Any]:
    ctx = context(request)
    found = visible_request(ctx.jit, request_id, who.user, _sees_all(who))
    return {
        "r": found,
        "names": ctx.overview().account_names(),
        "now": ctx.clock.now(),
        "events": history(found),
        "may_decide": found.state is State.PENDING
        and who.has(*APPROVERS)
        and (who.user in found.approvers or who.user == found.person),
        "may_cancel": found.state is State.PENDING and found.person == who.user,
        "may_revoke": found.state in HOLDS_ACCESS and (found.person == who.user or who.has(Role.ADMIN)),
    }


def detail_page(
    request: Request, who: Viewer, request_id: str, *, status: int = 200, error: str = ""
) -> HTMLResponse:
    values = _detail_values(request, who, request_id)
    found = values["r"]
    assert isinstance(found, GrantRequest)
    return page(
        request, "request_detail.html", who, status=status, title=f"Request {found.id}", error=error, **values
    )


@router.get("/requests/{request_id}", response_class=HTMLResponse)
def request_detail(request: Request, request_id: RequestId, who: SignedIn) -> HTMLResponse:
    require(who, *EVERYONE)
    return detail_page(request, who, request_id)


@router.get("/live/requests/{request_id}", response_class=HTMLResponse)
def request_live(request: Request, request_id: RequestId, who: SignedIn) -> HTMLResponse:
    require(who, *EVERYONE)
    return page(request, "live_request.html", who, **_detail_values(request, who, request_id))


@router.post("/requests/{request_id}/cancel", response_model=None)
def cancel(request: Request, request_id: RequestId, who: SignedIn, form: Posted) -> Response:
    require(who, *EVERYONE)
    form.checked(who)
    visible_request(context(request).jit, request_id, who.user, _sees_all(who))
    try:
        context(request).jit.cancel(request_id, who.user)
    except IllegalTransition as refused:
        return detail_page(request, who, request_id, status=409, error=str(refused))
    return RedirectResponse(f"/requests/{request_id}", status_code=303)


@router.post("/requests/{request_id}/revoke", response_model=None)
def revoke(request: Request, request_id: RequestId, who: SignedIn, form: Posted) -> Response:
    require(who, *EVERYONE)
    fields = form.checked(who)
    visible_request(context(request).jit, request_id, who.user, _sees_all(who))
    reason = fields.get("reason", "").strip()[:MAX_TEXT] or "revoked from the web"
    try:
        context(request).jit.revoke(request_id, who.user, reason, admin=who.has(Role.ADMIN))
    except IllegalTransition as refused:
        return detail_page(request, who, request_id, status=409, error=str(refused))
    back = fields.get("back", "")
    return RedirectResponse("/grants" if back == "grants" else f"/requests/{request_id}", status_code=303)
