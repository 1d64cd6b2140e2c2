"""API tokens as use cases: issue one (shown once, kept as a digest) and authenticate a presented one.

The secret part is 256 bits from `secrets`, so a plain SHA-256 digest is enough (no password stretching is
needed for a random key of that size); the comparison uses hmac.compare_digest and costs the same for an
unknown token id as for a known one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sojourn.clock import Clock
from sojourn.service.ports.tokens import TokenRecord, TokenRepository

TOKEN = re.compile(r"^sjt_([a-f0-9]{16})_([A-Za-z0-9_-]{40,64})$")
SCOPES = frozenset({"requests:write", "approvals:write", "grants:revoke", "audit:read", "tokens:admin"})
_NO_DIGEST = hashlib.sha256(b"no such token").hexdigest()


class TokenRejected(Exception):
    """A presented token is malformed, unknown, wrong, revoked or expired; the message never repeats it."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: `plaintext` is shown once and never stored; `record` is what is kept."""

    plaintext: str
    record: TokenRecord


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    name: str, roles: Iterable[str], scopes: frozenset[str], expires_at: datetime, now: datetime
) -> tuple[str, TokenRecord]:
    """A fresh token and its record; raises ValueError for an unknown scope or a lifetime already over."""
    unknown = scopes - SCOPES
    if unknown:
        raise ValueError(f"unknown scope(s) {sorted(unknown)}; known: {sorted(SCOPES)}")
    if expires_at <= now:
        raise ValueError("a token must expire in the future")
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    record = TokenRecord(
        token_id, name, _digest(secret), frozenset(str(r) for r in roles), scopes, now, expires_at
    )
    return f"sjt_{token_id}_{secret}", record


def check_token(plaintext: str, tokens: TokenRepository, now: datetime) -> TokenRecord:
    """The record of a live token whose secret matches; raises TokenRejected otherwise."""
    match = TOKEN.fullmatch(plaintext)
    if match is None:
        raise TokenRejected("malformed API token")
    record = tokens.get(match.group(1))
    expected = record.digest if record is not None else _NO_DIGEST
    if not hmac.compare_digest(_digest(match.group(2)), expected) or record is None:
        raise TokenRejected("unknown or wrong API token")
    if record.revoked_at is not None:
        raise TokenRejected("this API token was revoked")
    if now >= record.expires_at:
        raise TokenRejected("this API token has expired")
    return record


class ApiTokens:
    """Issue and authenticate API tokens against one repository, at the clock's time."""

    def __init__(self, tokens: TokenRepository, clock: Clock) -> None:
        self._tokens = tokens
        self._clock = clock

    def issue(
        self, name: str, roles: Iterable[str], scopes: Iterable[str], lifetime: timedelta
    ) -> IssuedToken:
        """Create and keep a token that lives LIFETIME from now."""
        now = self._clock.now()
        plaintext, record = issue_token(name, roles, frozenset(scopes), now + lifetime, now)
        self._tokens.add(record)
        return IssuedToken(plaintext, record)

    def authenticate(self, plaintext: str) -> TokenRecord:
        """The token's record when it is valid now; raises TokenRejected otherwise."""
        return check_token(plaintext, self._tokens, self._clock.now())
