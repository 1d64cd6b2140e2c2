"""Request and response bodies of the HTTP API (pydantic), which the OpenAPI document describes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sojourn.api.callers import Role

SPAN = r"^[1-9][0-9]{0,3}[mhd]$"
Scope = Literal["requests:write", "approvals:write", "grants:revoke", "audit:read", "tokens:admin"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestIn(Body):
    permission_set: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9+=,.@_-]+$")
    accounts: list[str] = Field(min_length=1, max_length=50)
    duration: str = Field(pattern=SPAN, description="e.g. 30m, 2h, 1d")
    reason: str = Field(default="", max_length=2000)
    ticket: str | None = Field(default=None, max_length=128)
    break_glass: bool = False


class CommentIn(Body):
    comment: str = Field(default="", max_length=2000)


class RevokeIn(Body):
    reason: str = Field(min_length=1, max_length=2000)


class ExtendIn(Body):
    by: str = Field(pattern=SPAN)


class TokenIn(Body):
    name: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._-]+$")
    roles: list[Role] = Field(min_length=1)
    scopes: list[Scope] = Field(min_length=1)
    expires_in: str = Field(pattern=SPAN)


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
