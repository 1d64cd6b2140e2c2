"""API tokens for automation: shown once, stored as a digest, scoped, expiring, checked in constant time.

A token reads `sjt_<token_id>_<secret>`. The id is a lookup key and not secret; the secret is 32 random
bytes (`secrets.token_urlsafe(32)`). Only `sha256(secret)` is stored. A fast hash is the right choice
here: a slow password hash (bcrypt, argon2) defends low-entropy secrets against guessing, but 256 random
bits cannot be guessed however fast the hash, and a slow hash would only make every API call slower.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from sojourn.api.identity import Caller, Role, Unauthenticated

PREFIX = "sjt_"
_TOKEN = re.compile(r"sjt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")
_SCOPE = re.compile(r"[a-z][a-z0-9-]*:[a-z][a-z0-9-]*")
# Compared against when the id is unknown, so that path does the same work as a wrong secret.
_NO_DIGEST = hashlib.sha256(b"no such token").hexdigest()


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """What is stored about a token: never the secret, only its SHA-256 digest."""

    token_id: str
    name: str
    secret_digest: str
    roles: frozenset[Role]
    scopes: frozenset[str]  # e.g. "requests:write", "approvals:write", "audit:read"
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


class TokenRepository(Protocol):
    """Where token records live; the SQL implementation belongs to the store."""

    def get(self, token_id: str) -> TokenRecord | None:
        """The record with this id, or None."""
        ...

    def add(self, record: TokenRecord) -> None:
        """Store a new record; ValueError if the id is taken."""
        ...

    def revoke(self, token_id: str, at: datetime) -> None:
        """Mark the token revoked at `at` (an earlier revocation stands); KeyError if unknown."""
        ...


class InMemoryTokenRepository:
    """The in-memory twin of the token repository, for tests and the demo."""

    def __init__(self) -> None:
        self._records: dict[str, TokenRecord] = {}
        self._lock = threading.Lock()

    def get(self, token_id: str) -> TokenRecord | None:
        with self._lock:
            return self._records.get(token_id)

    def add(self, record: TokenRecord) -> None:
        with self._lock:
            if record.token_id in self._records:
                raise ValueError(f"token {record.token_id} already exists")
            self._records[record.token_id] = record

    def revoke(self, token_id: str, at: datetime) -> None:
        with self._lock:
            record = self._records[token_id]
            if record.revoked_at is None:
                self._records[token_id] = replace(record, revoked_at=at)


def digest_secret(secret: str) -> str:
    """The stored form of a token secret: its SHA-256 hex digest (see the module docstring)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    name: str,
    roles: Iterable[Role | str],
    scopes: Iterable[str],
    expires_at: datetime,
    now: datetime,
) -> tuple[str, TokenRecord]:
    """A new token: the plaintext to show exactly once, and the record to store."""
    if not name.strip():
        raise ValueError("a token needs a name")
    if now.tzinfo is None or expires_at.tzinfo is None:
        raise ValueError("token times must be timezone-aware")
    if expires_at <= now:
        raise ValueError("a token must expire in the future")
    role_set = frozenset(Role(role) for role in roles)
    if not role_set:
        raise ValueError("a token needs at least one role")
    scope_set = frozenset(scopes)
    for scope in sorted(scope_set):
        if not _SCOPE.fullmatch(scope):
            raise ValueError(f"scope {scope!r} is not of the form 'resource:action'")
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    record = TokenRecord(
        token_id=token_id,
        name=name,
        secret_digest=digest_secret(secret),
        roles=role_set,
        scopes=scope_set,
        created_at=now,
        expires_at=expires_at,
    )
    return f"{PREFIX}{token_id}_{secret}", record


def check_token(plaintext: str, lookup: Callable[[str], TokenRecord | None], now: datetime) -> Caller:
    """The caller a live token stands for; Unauthenticated (never echoing the token) otherwise."""
    match = _TOKEN.fullmatch(plaintext) if isinstance(plaintext, str) else None
    if match is None:
        raise Unauthenticated("API token is malformed")
    token_id, secret = match.groups()
    record = lookup(token_id)
    expected = record.secret_digest if record is not None else _NO_DIGEST
    if not hmac.compare_digest(digest_secret(secret), expected) or record is None:
        raise Unauthenticated("API token is not valid")
    if record.revoked_at is not None:
        raise Unauthenticated("API token has been revoked")
    if now >= record.expires_at:
        raise Unauthenticated("API token has expired")
    return Caller(
        subject=f"token:{record.token_id}",
        user_name=record.name,
        roles=frozenset(role.value for role in record.roles),
        via="token",
        scopes=record.scopes,
    )
