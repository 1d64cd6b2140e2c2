"""For admins and auditors: grants now, and the audit trail with filters and the hash chain's status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from sojourn.service.audit import AuditFilter
from sojourn.web.guard import OVERSEERS, SignedIn, require
from sojourn.web.signin import context
from sojourn.web.templating import page

router = APIRouter()
PAGE = 50
Field = Annotated[str, Query(max_length=256)]


GRANTS_PAGE = 100


@router.get("/grants", response_class=HTMLResponse)
def grants_now(
    request: Request, who: SignedIn, page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1
) -> HTMLResponse:
    require(who, *OVERSEERS)
    ctx = context(request)
    every = ctx.overview().grants_now()
    first = (page_number - 1) * GRANTS_PAGE
    return page(
        request,
        "grants.html",
        who,
        title="Grants now",
        grants=every[first : first + GRANTS_PAGE],
        total=len(every),
        first=first,
        next_page=page_number + 1 if first + GRANTS_PAGE < len(every) else None,
        previous_page=page_number - 1 if page_number > 1 else None,
        names=ctx.overview().account_names(),
        now=ctx.clock.now(),
    )


def _day(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None
    except ValueError:
        return None


@router.get("/audit", response_class=HTMLResponse)
def audit(
    request: Request,
    who: SignedIn,
    person: Field = "",
    account: Field = "",
    permission_set: Field = "",
    action: Field = "",
    since: Field = "",
    until: Field = "",
    before: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    require(who, *OVERSEERS)
    wanted = AuditFilter(
        person or None,
        account or None,
        permission_set or None,
        action or None,
        since=_day(since),
        until=_day(until),
    )
    found = context(request).audit.page(wanted, before_seq=before, size=PAGE)
    filters = {
        "person": person, "account": account, "permission_set": permission_set,
        "action": action, "since": since, "until": until,
    }  # fmt: skip
    older = ""
    if len(found) == PAGE:
        older = "/audit?" + urlencode({**{k: v for k, v in filters.items() if v}, "before": found[-1].seq})
    return page(
        request, "audit.html", who, title="Audit trail", records=found, filters=filters, older=older,
        bad_dates=bool((since and not _day(since)) or (until and not _day(until))),
    )  # fmt: skip


@router.get("/live/audit-chain", response_class=HTMLResponse)
def audit_chain(request: Request, who: SignedIn) -> HTMLResponse:
    require(who, *OVERSEERS)
    try:
        report = context(request).audit.verify()
        ok = report.ok
        text = (
            f"intact: {report.checked} records checked, head {report.head_hash[:16]}"
            if ok
            else "broken: " + "; ".join(report.problems[:5])
        )
    except Exception as error:  # a broken or replaced log is a status to show, never a crash
        ok, text = False, f"cannot verify: {error}"
    return page(request, "live_chain.html", who, ok=ok, text=text)
