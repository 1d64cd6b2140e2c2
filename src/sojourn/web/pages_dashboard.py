"""The dashboard: standing against just-in-time hours per team and week, grants per day, time to
approval; bars scaled by the template, no script."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from sojourn.service.access_charts import dashboard
from sojourn.web.guard import OVERSEERS, SignedIn, require
from sojourn.web.signin import context
from sojourn.web.templating import page

router = APIRouter()


def _most(values: list[float]) -> float:
    return max([*values, 1.0])


@router.get("/dashboard", response_class=HTMLResponse)
def show(request: Request, who: SignedIn) -> HTMLResponse:
    require(who, *OVERSEERS)
    figures = dashboard(context(request).jit)
    hours = [w.standing_hours for w in figures.team_weeks] + [w.jit_hours for w in figures.team_weeks]
    return page(
        request, "dashboard.html", who, title="Dashboard", d=figures,
        most_hours=_most(hours),
        most_grants=_most([c.value for c in figures.grants_per_day]),
        most_minutes=_most([c.value for c in figures.approval_minutes]),
    )  # fmt: skip
