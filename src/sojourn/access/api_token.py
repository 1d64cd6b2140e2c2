"""API tokens as kept: a digest of the secret (never the secret), roles, scopes, expiry and revocation.

The secret is 256 random bits, so a plain SHA-256 digest suffices (stretching adds nothing for a random
key of that size). `judge_token` compares digests in constant time and does the same work for an unknown
token id as for a known one, so timing tells an attacker neither.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum

_NO_DIGEST = hashlib.sha256(b"no such token").hexdigest()


class Role(StrEnum):
    """What a caller of the API may do; people get roles from their IdP groups, tokens when issued."""

    REQUESTER = "requester"
    APPROVER = "approver"
    ADMIN = "admin"
    AUDITOR = "auditor"


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A stored API token: its public id, name, secret digest, what it may do, and its lifetime."""

    token_id: str
    name: str
    digest: str
    roles: frozenset[str]
    scopes: frozenset[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


class TokenRefusal(Enum):
    """Why a presented token was not accepted (the value is the message for the caller)."""

    UNKNOWN = "unknown or wrong API token"
    REVOKED = "this API token was revoked"
    EXPIRED = "this API token has expired"


def secret_digest(secret: str) -> str:
    """What is stored in place of a token's secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


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
