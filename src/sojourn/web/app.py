"""The web app: pages for people (routers in pages_*.py), sign-in, static assets of the package, and the
refusals as pages. No page shows a traceback; every page needs a signed-in session and a role."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from sojourn.access.issues import ConfigInvalid
from sojourn.access.review import CampaignNotFound
from sojourn.service.request_visibility import RequestNotFound
from sojourn.web import (
    pages_access,
    pages_analysis,
    pages_approvals,
    pages_dashboard,
    pages_oversight,
    pages_reviews,
    signin,
)
from sojourn.web.context import WebContext
from sojourn.web.guard import BadForm, NotAllowed, NotSignedIn
from sojourn.web.security import PageHeaders, page_headers
from sojourn.web.sessions import SessionStore
from sojourn.web.templating import nonce, page

log = logging.getLogger("sojourn.web")
STATIC = Path(__file__).parent / "static"
ROUTERS = (
    signin.router,
    pages_access.router,
    pages_approvals.router,
    pages_oversight.router,
    pages_reviews.router,
    pages_analysis.router,
    pages_dashboard.router,
)


def _viewer(request: Request) -> object:
    return getattr(request.state, "viewer", None)


def _message(request: Request, status: int, title: str, message: str) -> Response:
    return page(request, "message.html", _viewer(request), status=status, title=title, message=message)  # type: ignore[arg-type]


def _not_signed_in(request: Request, _: Exception) -> Response:
    if request.method == "GET" and not request.url.path.startswith("/live/"):
        return RedirectResponse("/login?next=" + quote(request.url.path, safe="/"), status_code=303)
    return signin.signed_out_page(request)


def _refused(status: int, title: str) -> object:
    def handler(request: Request, error: Exception) -> Response:
        return _message(request, status, title, str(error))

    return handler


def _not_found(request: Request, error: Exception) -> Response:
    if isinstance(error, HTTPException) and error.status_code != 404:
        return _message(request, error.status_code, "Not possible", str(error.detail))
    return _message(request, 404, "Not found", "There is no such page, or it is not yours to see.")


def _bad_input(request: Request, _: Exception) -> Response:
    return _message(
        request, 400, "Not understood", "Part of the address or form is not valid; go back and check it."
    )


def _config(request: Request, _: Exception) -> Response:
    return _message(
        request,
        503,
        "Configuration invalid",
        "Sojourn's configuration is invalid; an administrator must fix it (`sojourn plan` shows where).",
    )


def _failed(request: Request, error: Exception) -> Response:
    """Outside the page middleware (Starlette answers failures last), so the headers are set here."""
    log.error("page %s failed: %s", request.url.path, type(error).__name__)
    response = _message(
        request,
        500,
        "Something went wrong",
        "Sojourn could not show this page; try again, and tell an administrator if it persists.",
    )
    for name, value in page_headers(nonce(request)):
        response.headers[name.decode()] = value.decode()
    return response


def create_web_app(context: WebContext) -> FastAPI:
    """The pages over the context's use cases, behind the page headers (CSP with a nonce)."""
    app = FastAPI(title="Sojourn pages", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = context
    app.state.sessions = SessionStore(context.session_key or secrets.token_bytes(32), context.clock.now)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(NotSignedIn, _not_signed_in)
    app.add_exception_handler(NotAllowed, _refused(403, "Not allowed"))  # type: ignore[arg-type]
    app.add_exception_handler(BadForm, _refused(403, "Form refused"))  # type: ignore[arg-type]
    app.add_exception_handler(RequestNotFound, _not_found)
    app.add_exception_handler(CampaignNotFound, _not_found)
    app.add_exception_handler(HTTPException, _not_found)
    app.add_exception_handler(RequestValidationError, _bad_input)
    app.add_exception_handler(ConfigInvalid, _config)
    app.add_exception_handler(Exception, _failed)
    app.add_middleware(PageHeaders)
    return app
