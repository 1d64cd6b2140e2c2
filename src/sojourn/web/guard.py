"""Who is looking at a page and what they may do: a signed-in session and a role, or a refusal.

Deny by default: every page names the roles that may see it; forms carry the session's CSRF token.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from sojourn.access.api_token import Role
from sojourn.web.sessions import COOKIE, Session, SessionStore

EVERYONE = (Role.REQUESTER, Role.APPROVER, Role.ADMIN, Role.AUDITOR)
APPROVERS = (Role.APPROVER, Role.ADMIN)
OVERSEERS = (Role.ADMIN, Role.AUDITOR)
REVIEWERS = (Role.ADMIN, Role.AUDITOR, Role.APPROVER)


class NotSignedIn(Exception):
    """No live signed-in session: the browser is sent to sign in."""


class NotAllowed(Exception):
    """Signed in, without a role this page needs (HTTP 403)."""


class BadForm(Exception):
    """A form without this session's CSRF token (HTTP 403)."""


@dataclass(frozen=True, slots=True)
class Viewer:
    user: str
    roles: frozenset[Role]
    session: Session

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))


def sessions(request: Request) -> SessionStore:
    found: SessionStore = request.app.state.sessions
    return found


def current_session(request: Request) -> Session | None:
    return sessions(request).find(request.cookies.get(COOKIE))


def viewer(request: Request) -> Viewer:
    session = current_session(request)
    if session is None or session.user is None:
        raise NotSignedIn()
    found = Viewer(session.user, session.roles, session)
    request.state.viewer = found
    return found


def require(who: Viewer, *roles: Role) -> Viewer:
    if not who.has(*roles):
        raise NotAllowed(f"this page needs the {' or '.join(r.value for r in roles)} role")
    return who


@dataclass(frozen=True, slots=True)
class PostedForm:
    """A form's text fields as posted; read in the event loop so that the page's handler, which may call
    slow use cases, runs on a worker thread."""

    values: dict[str, list[str]]

    def checked(self, who: Viewer) -> dict[str, str]:
        """Each field's last value once the form's CSRF token matches the session's; BadForm otherwise."""
        fields = {name: values[-1] for name, values in self.values.items()}
        sent = fields.get("csrf", "")
        if not sent or not hmac.compare_digest(sent, who.session.csrf):
            raise BadForm(
                "this form is out of date or did not come from Sojourn; reload the page and try again"
            )
        return fields

    def every(self, name: str) -> list[str]:
        return list(self.values.get(name, ()))


async def posted_form(request: Request) -> PostedForm:
    form = await request.form()
    values: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(name, []).append(value)
    return PostedForm(values)


SignedIn = Annotated[Viewer, Depends(viewer)]
Posted = Annotated[PostedForm, Depends(posted_form)]
