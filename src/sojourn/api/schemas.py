"""Request and response bodies of the HTTP API (pydantic), which the OpenAPI document describes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from sojourn.api.callers import Role

SPAN = r"^([1-9][0-9]{0,3}[mh]|[1-9][0-9]{0,2}d)$"
"""30m, 2h, 1d: minutes or hours up to 9999, days up to 999 (within the ten-year cap on every span)."""
TEXT = r"^[^\x00]*$"
"""Free text: anything but NUL, which no database column can hold."""
NAME = r"^[A-Za-z0-9+=,.@_-]+$"
Scope = Literal[
    "requests:write",
    "approvals:write",
    "grants:revoke",
    "audit:read",
    "tokens:admin",
    "reviews:read",
    "reviews:write",
    "reviews:admin",
]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestIn(Body):
    permission_set: str = Field(min_length=1, max_length=32, pattern=NAME)
    accounts: list[Annotated[str, Field(min_length=1, max_length=128, pattern=TEXT)]] = Field(
        min_length=1, max_length=50
    )
    duration: str = Field(pattern=SPAN, description="e.g. 30m, 2h, 1d")
    reason: str = Field(default="", max_length=2000, pattern=TEXT)
    ticket: str | None = Field(default=None, max_length=128, pattern=TEXT)
    break_glass: bool = False


class CommentIn(Body):
    comment: str = Field(default="", max_length=2000, pattern=TEXT)


class RevokeIn(Body):
    reason: str = Field(min_length=1, max_length=2000, pattern=TEXT)


class TokenRevokeIn(Body):
    reason: str = Field(default="", max_length=2000, pattern=TEXT)


class ExtendIn(Body):
    by: str = Field(pattern=SPAN)


class TokenIn(Body):
    name: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._-]+$")
    roles: list[Role] = Field(
        default=[], max_length=4, description="default: the roles its scopes need (docs/api.md)"
    )
    scopes: list[Scope] = Field(min_length=1, max_length=8)
    expires_in: str = Field(pattern=SPAN, description="at most 366d, and never past the issuing token's end")
    person: str | None = Field(
        default=None,
        min_length=1,
        max_length=256,
        pattern=NAME,
        description="a person of the configuration the token acts for",
    )


class DecisionOut(BaseModel):
    approver: str
    approve: bool
    comment: str
    at: datetime


class RequestOut(BaseModel):
    id: str
    person: str
    permission_set: str
    accounts: list[str]
    duration_seconds: int
    reason: str
    requested_at: datetime
    answer_by: datetime
    approvers: list[str]
    approvals_required: int
    ticket: str | None
    break_glass: bool
    source: str
    state: str
    decisions: list[DecisionOut]
    starts_at: datetime | None
    ends_at: datetime | None
    provision_attempts: int
    closed_at: datetime | None
    closed_by: str | None
    close_reason: str | None
    revoked_in_aws_at: datetime | None
    until: datetime | None


class EligibilityOut(BaseModel):
    rule: str
    permission_set: str
    accounts: list[str]
    max_duration_seconds: int
    approvers: list[str]
    approvals_required: int
    break_glass: bool
    auto_approve: bool


class TokenOut(BaseModel):
    token: str = Field(description="shown once; store it now")
    token_id: str
    expires_at: datetime
    person: str | None = None


class TokenInfoOut(BaseModel):
    token_id: str
    name: str
    roles: list[str]
    scopes: list[str]
    person: str | None
    issued_by: str | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class AuditOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    reason: str
    target: str
    person: str | None
    account_id: str | None
    permission_set: str | None
    hash: str


class Problem(BaseModel):
    detail: str
