"""API tokens as kept: a digest of the secret (never the secret), roles, scopes, expiry and revocation.

The secret is 256 random bits, so a plain SHA-256 digest suffices (stretching adds nothing for a random
key of that size). `judge_token` compares digests in constant time and does the same work for an unknown
token id as for a known one, so timing tells an attacker neither. `minting_refusal` keeps a token that
issues tokens from handing out more than it holds.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum, StrEnum

_NO_DIGEST = hashlib.sha256(b"no such token").hexdigest()

SCOPES: Mapping[str, str] = {
    "requests:write": "ask for access and cancel one's own requests",
    "approvals:write": "approve, deny and extend requests (never one's own)",
    "grants:revoke": "end a grant early",
    "audit:read": "read the audit log",
    "tokens:admin": "issue and revoke API tokens, within the issuing token's own scopes and lifetime",
    "reviews:read": "read access review campaigns and their evidence",
    "reviews:write": "certify or revoke the access review items assigned to one (never one's own)",
    "reviews:admin": "start, remind and close access review campaigns",
}
"""Every scope a token may carry, and what it allows."""

SCOPE_ALIASES: Mapping[str, str] = {
    "request": "requests:write",
    "approve": "approvals:write",
    "revoke": "grants:revoke",
    "audit": "audit:read",
    "tokens": "tokens:admin",
    "reviews": "reviews:read",
    "review": "reviews:write",
    "review-admin": "reviews:admin",
}
"""Short names the CLI accepts for the scopes."""

ROLE_OF_SCOPE: Mapping[str, str] = {
    "requests:write": "requester",
    "approvals:write": "approver",
    "grants:revoke": "requester",
    "audit:read": "auditor",
    "tokens:admin": "admin",
    "reviews:read": "auditor",
    "reviews:write": "approver",
    "reviews:admin": "admin",
}
"""The role a scope needs, for tokens issued without explicit roles."""

MAX_LIFETIME = timedelta(days=366)
"""No token lives longer than this."""


class Role(StrEnum):
    """What a caller of the API may do; people get roles from their IdP groups, tokens when issued."""

    REQUESTER = "requester"
    APPROVER = "approver"
    ADMIN = "admin"
    AUDITOR = "auditor"


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A stored API token: its public id, name, secret digest, what it may do, and its lifetime.

    `person` binds the token to a person of the configuration: it then acts as that person.
    `issued_by` is who issued it (a person, or `token:<id>` when a token issued it).
    """

    token_id: str
    name: str
    digest: str
    roles: frozenset[str]
    scopes: frozenset[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    person: str | None = None
    issued_by: str | None = None


class TokenRefusal(Enum):
    """Why a presented token was not accepted (the value is the message for the caller)."""

    UNKNOWN = "unknown or wrong API token"
    REVOKED = "this API token was revoked"
    EXPIRED = "this API token has expired"


def secret_digest(secret: str) -> str:
    """What is stored in place of a token's secret."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def judge_token(record: TokenRecord | None, secret: str, now: datetime) -> TokenRecord | TokenRefusal:
    """The record when `secret` is its secret and it is neither revoked nor expired at `now`."""
    expected = record.digest if record is not None else _NO_DIGEST
    if not hmac.compare_digest(secret_digest(secret), expected) or record is None:
        return TokenRefusal.UNKNOWN
    if record.revoked_at is not None:
        return TokenRefusal.REVOKED
    if now >= record.expires_at:
        return TokenRefusal.EXPIRED
    return record


def scope_names(given: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    """Scopes by full or short name (`request`, `approve`, ...); ValueError naming an unknown one."""
    found = {SCOPE_ALIASES.get(s.strip(), s.strip()) for s in given if s.strip()}
    unknown = found - set(SCOPES)
    if unknown:
        raise ValueError(
            f"unknown scope(s) {sorted(unknown)}; known: {sorted(SCOPES)} (or {sorted(SCOPE_ALIASES)})"
        )
    return frozenset(found)


def minting_refusal(
    issuer: TokenRecord,
    roles: frozenset[str],
    scopes: frozenset[str],
    expires_at: datetime,
    person: str | None,
) -> str | None:
    """Why a token may not issue this one, or None: never more scopes, roles, lifetime or people."""
    if not scopes <= issuer.scopes:
        return f"a token may only issue its own scopes; this one lacks {sorted(scopes - issuer.scopes)}"
    if not roles <= issuer.roles:
        return f"a token may only issue its own roles; this one lacks {sorted(roles - issuer.roles)}"
    if expires_at > issuer.expires_at:
        return f"a token may not issue one that outlives it (it expires {issuer.expires_at.isoformat()})"
    if person != issuer.person:
        bound = f"bound to {issuer.person!r}" if issuer.person else "bound to nobody"
        return f"a token {bound} may only issue tokens bound to the same person"
    return None
