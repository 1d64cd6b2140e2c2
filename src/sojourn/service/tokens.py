"""API tokens as use cases: issue one (shown once, kept as a digest), authenticate, list and revoke.

Verification exists once: the plaintext `sjt_<id>_<secret>` is split here and the repository's `verify`
compares the secret's digest in constant time. Issuing and revoking are written to the audit log. A token
that issues tokens gives out no more scopes, roles or lifetime than it holds itself.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sojourn.access.api_token import (
    MAX_LIFETIME,
    ROLE_OF_SCOPE,
    SCOPES,
    minting_refusal,
    scope_names,
    secret_digest,
)
from sojourn.clock import Clock
from sojourn.service.ports.audit import AuditEvent, AuditRepository
from sojourn.service.ports.tokens import TokenRecord, TokenRefusal, TokenRepository

__all__ = [
    "SCOPES",
    "ApiTokens",
    "IssuedToken",
    "TokenIssuer",
    "TokenNotAllowed",
    "TokenNotFound",
    "TokenRejected",
    "issue_token",
]

TOKEN = re.compile(r"^sjt_([a-f0-9]{16})_([A-Za-z0-9_-]{40,64})$")


class TokenRejected(Exception):
    """A presented token is malformed, unknown, wrong, revoked or expired; the message never repeats it."""


class TokenNotAllowed(Exception):
    """The caller may not issue or revoke this token (HTTP 403)."""


class TokenNotFound(LookupError):
    """No token has that id (HTTP 404)."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: `plaintext` is shown once and never stored; `record` is what is kept."""

    plaintext: str
    record: TokenRecord


@dataclass(frozen=True, slots=True)
class TokenIssuer:
    """Who issues or revokes: a person (`actor`), or a token (`token`, whose limits then apply)."""

    actor: str
    token: TokenRecord | None = None


def issue_token(
    name: str,
    roles: Iterable[str],
    scopes: frozenset[str],
    expires_at: datetime,
    now: datetime,
    *,
    person: str | None = None,
    issued_by: str | None = None,
) -> tuple[str, TokenRecord]:
    """A fresh token and its record; raises ValueError for an unknown scope or a lifetime out of range."""
    known = scope_names(scopes)
    if expires_at <= now:
        raise ValueError("a token must expire in the future")
    if expires_at - now > MAX_LIFETIME:
        raise ValueError(f"a token may live at most {MAX_LIFETIME.days} days; give a shorter lifetime")
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    chosen = frozenset(str(r) for r in roles) or frozenset(ROLE_OF_SCOPE[s] for s in known)
    record = TokenRecord(
        token_id, name, secret_digest(secret), chosen, known, now, expires_at, None, person, issued_by
    )
    return f"sjt_{token_id}_{secret}", record


def lifetime_end(now: datetime, lifetime: timedelta) -> datetime:
    """`now + lifetime`, or ValueError (not OverflowError) when that is past any date a token may have."""
    if lifetime > MAX_LIFETIME:
        raise ValueError(f"a token may live at most {MAX_LIFETIME.days} days; give a shorter lifetime")
    return now + lifetime


class ApiTokens:
    """Issue, authenticate, list and revoke API tokens against one repository, at the clock's time."""

    def __init__(
        self,
        tokens: TokenRepository,
        audit: AuditRepository,
        clock: Clock,
        people: Callable[[], Collection[str]] | None = None,
    ) -> None:
        self._tokens = tokens
        self._audit = audit
        self._clock = clock
        self._people = people

    def issue(
        self,
        name: str,
        roles: Iterable[str],
        scopes: Iterable[str],
        lifetime: timedelta,
        issuer: TokenIssuer,
        *,
        person: str | None = None,
    ) -> IssuedToken:
        """Create, keep and audit a token that lives LIFETIME from now (bound to PERSON when given)."""
        if person is not None and (self._people is None or person not in self._people()):
            raise ValueError(f"{person!r} is not a person of the configuration; a token acts for one")
        now = self._clock.now()
        expires_at = lifetime_end(now, lifetime)
        by = issuer.actor if issuer.token is None else f"token:{issuer.token.token_id}"
        plaintext, record = issue_token(
            name, roles, frozenset(scopes), expires_at, now, person=person, issued_by=by
        )
        if issuer.token is not None:
            refusal = minting_refusal(issuer.token, record.roles, record.scopes, expires_at, person)
            if refusal is not None:
                raise TokenNotAllowed(refusal)
        self._tokens.add(record)
        self._audit.append(
            AuditEvent(
                at=now,
                actor=issuer.actor,
                action="token.create",
                reason=f"API token {name!r} issued",
                target=f"token:{record.token_id}",
                person=person,
                details=_details(record) | _via(issuer),
            )
        )
        return IssuedToken(plaintext, record)

    def revoke(self, token_id: str, issuer: TokenIssuer, reason: str = "") -> TokenRecord:
        """Revoke a token from now on, audited; TokenNotFound when there is none, ValueError if revoked."""
        record = self._tokens.get(token_id)
        if record is None:
            raise TokenNotFound(f"no API token {token_id!r}; `sojourn token list` shows them")
        if issuer.token is not None and issuer.token.token_id != token_id:
            refusal = minting_refusal(
                issuer.token, record.roles, record.scopes, record.expires_at, record.person
            )
            if refusal is not None:
                raise TokenNotAllowed(refusal.replace("issue", "revoke", 1))
        now = self._clock.now()
        if not self._tokens.revoke(token_id, now):
            raise ValueError(f"API token {token_id!r} was revoked already")
        self._audit.append(
            AuditEvent(
                at=now,
                actor=issuer.actor,
                action="token.revoke",
                reason=reason or f"API token {record.name!r} revoked",
                target=f"token:{token_id}",
                person=record.person,
                details=_details(record) | _via(issuer),
            )
        )
        found = self._tokens.get(token_id)
        assert found is not None
        return found

    def record_use(self, token: TokenRecord, action: str, target: str) -> None:
        """Audit that a token bound to a person did ACTION on TARGET on that person's behalf."""
        self._audit.append(
            AuditEvent(
                at=self._clock.now(),
                actor=token.person or f"token:{token.name}",
                action="token.on_behalf",
                reason=f"{action} via API token {token.token_id} on behalf of {token.person}",
                target=target,
                person=token.person,
                details={"via_token": token.token_id, "token_name": token.name, "did": action},
            )
        )

    def authenticate(self, plaintext: str) -> TokenRecord:
        """The token's record when it is valid now; raises TokenRejected otherwise."""
        match = TOKEN.fullmatch(plaintext)
        if match is None:
            raise TokenRejected("malformed API token")
        verdict = self._tokens.verify(match.group(1), match.group(2), self._clock.now())
        if isinstance(verdict, TokenRefusal):
            raise TokenRejected(verdict.value)
        return verdict

    def list_tokens(self) -> list[TokenRecord]:
        """Every token, oldest first (digests only)."""
        return self._tokens.list_tokens()


def _details(record: TokenRecord) -> dict[str, object]:
    return {
        "token": record.token_id,
        "name": record.name,
        "roles": sorted(record.roles),
        "scopes": sorted(record.scopes),
        "expires_at": record.expires_at.isoformat(),
    }


def _via(issuer: TokenIssuer) -> dict[str, object]:
    return {} if issuer.token is None else {"via_token": issuer.token.token_id}
