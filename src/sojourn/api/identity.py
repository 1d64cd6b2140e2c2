"""Who is calling: the authenticated caller, the roles Sojourn knows and the two ways to be refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

Via = Literal["oidc", "token"]


class Role(StrEnum):
    """What a caller may do; every route names the roles it admits (deny by default)."""

    REQUESTER = "requester"
    APPROVER = "approver"
    ADMIN = "admin"
    AUDITOR = "auditor"


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated caller; `scopes` only narrows API-token callers (OIDC callers have none)."""

    subject: str
    user_name: str
    roles: frozenset[str]
    via: Via
    scopes: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.via not in ("oidc", "token"):
            raise ValueError(f"unknown authentication method {self.via!r}")
        unknown = sorted(self.roles - {role.value for role in Role})
        if unknown:
            raise ValueError(f"unknown roles {unknown}")

    def has_role(self, role: Role) -> bool:
        return role.value in self.roles


class AuthError(Exception):
    """A refusal with a reason safe to show the caller: it never contains the credential."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Unauthenticated(AuthError):
    """No usable credential (HTTP 401)."""


class Forbidden(AuthError):
    """A known caller without the role or scope the action needs (HTTP 403)."""
