"""Web sessions: a random id in a signed cookie, the session itself kept in this process.

A new id is issued at sign-in (an id planted before it never becomes a signed-in session), logout
forgets the session (a copied cookie stops working), and every session carries its own CSRF token.
Sessions live in memory: restarting the server signs everyone out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sojourn.access.api_token import Role

COOKIE = "sojourn_session"
IDLE = timedelta(hours=8)
MAX_SESSIONS = 10_000


@dataclass
class Session:
    sid: str
    csrf: str
    last_seen: datetime
    user: str | None = None
    roles: frozenset[Role] = frozenset()
    login: dict[str, str] = field(default_factory=dict)
    """While signing in: state, nonce, PKCE verifier and where to go after."""


class SessionStore:
    def __init__(self, key: bytes, now: Callable[[], datetime]) -> None:
        self._key, self._now = key, now
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def _sign(self, sid: str) -> str:
        return hmac.new(self._key, sid.encode(), hashlib.sha256).hexdigest()

    def cookie_value(self, session: Session) -> str:
        return f"{session.sid}.{self._sign(session.sid)}"

    def new(self) -> Session:
        now = self._now()
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now)
        with self._lock:
            if len(self._sessions) >= MAX_SESSIONS:
                self._forget_idle(now)
            self._sessions[session.sid] = session
        return session

    def find(self, cookie: str | None) -> Session | None:
        """The live session behind a cookie, or None (unsigned, forged, forgotten or idle too long)."""
        if not cookie or "." not in cookie:
            return None
        sid, _, mac = cookie.rpartition(".")
        if not hmac.compare_digest(mac, self._sign(sid)):
            return None
        now = self._now()
        with self._lock:
            session = self._sessions.get(sid)
            if session is None:
                return None
            if now - session.last_seen > IDLE:
                del self._sessions[sid]
                return None
            session.last_seen = now
            return session

    def signed_in(self, old: Session | None, user: str, roles: frozenset[Role]) -> Session:
        """A fresh session for `user` (new id, new CSRF token); the one used while signing in is gone."""
        self.forget(old)
        session = self.new()
        session.user, session.roles = user, roles
        return session

    def forget(self, session: Session | None) -> None:
        if session is not None:
            with self._lock:
                self._sessions.pop(session.sid, None)

    def _forget_idle(self, now: datetime) -> None:
        for sid in [s for s, kept in self._sessions.items() if now - kept.last_seen > IDLE]:
            del self._sessions[sid]
        if len(self._sessions) >= MAX_SESSIONS:  # still full: the oldest go
            for sid in sorted(self._sessions, key=lambda s: self._sessions[s].last_seen)[:1000]:
                del self._sessions[sid]
