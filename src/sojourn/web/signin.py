"""Sign-in and out: /login sends the browser to the identity provider (code flow with PKCE), /auth/callback
checks the answer and starts a new session, /logout forgets it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sojourn.web.context import WebContext
from sojourn.web.guard import Posted, SignedIn, current_session, sessions
from sojourn.web.oidc_client import SignInFailed
from sojourn.web.sessions import COOKIE, IDLE, Session
from sojourn.web.templating import page

router = APIRouter()
Text = Annotated[str, Query(max_length=2048)]


def context(request: Request) -> WebContext:
    found: WebContext = request.app.state.web
    return found


def _local(path: str) -> str:
    """Only a path on this site, so a sign-in link cannot send anyone elsewhere."""
    return path if path.startswith("/") and not path.startswith(("//", "/\\")) else "/"


def _redirect_uri(request: Request) -> str:
    base = context(request).web_url or str(request.base_url)
    return base.rstrip("/") + "/auth/callback"


def with_cookie(request: Request, response: Response, session: Session) -> Response:
    secure = (context(request).web_url or str(request.base_url)).startswith("https:")
    response.set_cookie(
        COOKIE,
        sessions(request).cookie_value(session),
        max_age=int(IDLE.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )
    return response


@router.get("/login", response_model=None)
def login(request: Request, next: Text = "/") -> Response:
    sign_in = context(request).sign_in
    if sign_in is None:
        return page(
            request,
            "message.html",
            None,
            status=503,
            title="Sign-in is not configured",
            message="Set SOJOURN_OIDC_ISSUER, SOJOURN_OIDC_CLIENT_ID (and SOJOURN_OIDC_CLIENT_SECRET) and "
            "restart Sojourn; see docs/web.md.",
        )
    try:
        started = sign_in.start(_redirect_uri(request))
    except SignInFailed as error:
        return page(request, "message.html", None, status=502, title="Cannot sign in", message=str(error))
    store = sessions(request)
    store.forget(current_session(request))
    session = store.new()
    session.login = {
        "state": started.state,
        "nonce": started.nonce,
        "verifier": started.verifier,
        "next": _local(next),
    }
    return with_cookie(request, RedirectResponse(started.url, status_code=303), session)


@router.get("/auth/callback", response_model=None)
def callback(request: Request, code: Text = "", state: Text = "", error: Text = "") -> Response:
    sign_in = context(request).sign_in
    session = current_session(request)
    login = session.login if session is not None else {}
    if sign_in is None or not login or not state or state != login.get("state"):
        return page(
            request,
            "message.html",
            None,
            status=400,
            title="Sign-in did not match",
            message="This sign-in was not started here or has expired; start again from the sign-in link.",
        )
    if error or not code:
        return page(
            request, "message.html", None, status=401, title="Not signed in",
            message="The identity provider did not sign you in; start again.",
        )  # fmt: skip
    try:
        person = sign_in.finish(_redirect_uri(request), code, login["verifier"], login["nonce"])
    except SignInFailed as failure:
        return page(request, "message.html", None, status=401, title="Not signed in", message=str(failure))
    fresh = sessions(request).signed_in(session, person.user, person.roles)
    return with_cookie(request, RedirectResponse(login["next"], status_code=303), fresh)


@router.post("/logout", response_model=None)
def logout(request: Request, who: SignedIn, form: Posted) -> Response:
    form.checked(who)
    sessions(request).forget(who.session)
    response: Response = page(
        request, "message.html", None, title="Signed out", message="You are signed out of Sojourn."
    )
    response.delete_cookie(COOKIE, path="/")
    return response


def signed_out_page(request: Request) -> HTMLResponse:
    return page(
        request, "message.html", None, status=401, title="Sign in", message="Sign in to use Sojourn.",
        sign_in_link="/login?next=" + _local(request.url.path),
    )  # fmt: skip
