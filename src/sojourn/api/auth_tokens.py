"""API tokens for automation: shown once, stored as a digest, scoped, expiring, compared in constant time.

The secret part is 256 bits from `secrets`, so a plain SHA-256 digest is enough (no password stretching is
needed for a random key of that size); the comparison uses hmac.compare_digest.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

from sojourn.api.callers import Caller, Role, Unauthenticated
from sojourn.service.ports.tokens import TokenRecord, TokenRepository

TOKEN = re.compile(r"^sjt_([a-f0-9]{16})_([A-Za-z0-9_-]{40,64})$")
SCOPES = frozenset({"requests:write", "approvals:write", "grants:revoke", "audit:read", "tokens:admin"})


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    name: str, roles: frozenset[Role], scopes: frozenset[str], expires_at: datetime, now: datetime
) -> tuple[str, TokenRecord]:
    unknown = scopes - SCOPES
    if unknown:
        raise ValueError(f"unknown scope(s) {sorted(unknown)}; known: {sorted(SCOPES)}")
    if expires_at <= now:
        raise ValueError("a token must expire in the future")
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    record = TokenRecord(
        token_id, name, _digest(secret), frozenset(r.value for r in roles), scopes, now, expires_at
    )
    return f"sjt_{token_id}_{secret}", record


def check_token(plaintext: str, tokens: TokenRepository, now: datetime) -> Caller:
    match = TOKEN.fullmatch(plaintext)
    if match is None:
        raise Unauthenticated("malformed API token")
    record = tokens.get(match.group(1))
    presented = _digest(match.group(2))
    expected = record.digest if record is not None else _digest(secrets.token_urlsafe(32))
    if not hmac.compare_digest(presented, expected) or record is None:
        raise Unauthenticated("unknown or wrong API token")
    if record.revoked_at is not None:
        raise Unauthenticated("this API token was revoked")
    if now >= record.expires_at:
        raise Unauthenticated("this API token has expired")
    roles = frozenset(Role(r) for r in record.roles if r in Role.__members__.values())
    return Caller(f"token:{record.name}", roles, "token", record.scopes)
