"""Rendering pages: the package's Jinja2 templates (autoescaped), the navigation a viewer's roles open,
the per-response CSP nonce and the session's CSRF token."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from sojourn.access.api_token import Role
from sojourn.service.access_overview import time_left
from sojourn.web.guard import APPROVERS, EVERYONE, OVERSEERS, REVIEWERS, Viewer

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

NAVIGATION: tuple[tuple[str, str, tuple[Role, ...]], ...] = (
    ("/", "My access", EVERYONE),
    ("/request", "Request access", EVERYONE),
    ("/inbox", "Inbox", APPROVERS),
    ("/grants", "Grants now", OVERSEERS),
    ("/audit", "Audit trail", OVERSEERS),
    ("/reviews", "Reviews", REVIEWERS),
    ("/findings", "Findings", OVERSEERS),
    ("/paths", "Paths", OVERSEERS),
    ("/dashboard", "Dashboard", OVERSEERS),
)


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else ""


def span(value: timedelta) -> str:
    """A duration as people write it: 1h, 4h 30m, 45m, 2d."""
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return " ".join(p for p in parts if p) or "0m"


TEMPLATES.env.filters["when"] = when
TEMPLATES.env.filters["span"] = span
TEMPLATES.env.globals["time_left"] = time_left


def nonce(request: Request) -> str:
    return str(request.scope.get("csp_nonce", ""))


def page(
    request: Request, name: str, who: Viewer | None, *, status: int = 200, title: str = "", **values: Any
) -> HTMLResponse:
    """The template `name` inside the site's layout, for `who` (None: signed out)."""
    nav = [(href, label) for href, label, roles in NAVIGATION if who is not None and who.has(*roles)]
    context = {
        "who": who,
        "nav": nav,
        "here": request.url.path,
        "csrf": who.session.csrf if who is not None else "",
        "nonce": nonce(request),
        "title": title,
        **values,
    }
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)


def report_page(request: Request, document: str) -> HTMLResponse:
    """A self-contained report (its own <style>, no script) served under the page policy: its style
    elements carry this response's nonce."""
    return HTMLResponse(document.replace("<style>", f'<style nonce="{nonce(request)}">'))
