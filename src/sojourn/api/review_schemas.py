"""Bodies of the access review routes (pydantic), described by the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from sojourn.api.schemas import TEXT, Body

Listed = list[Annotated[str, Field(min_length=1, max_length=128, pattern=TEXT)]]


class CampaignIn(Body):
    name: str = Field(default="", max_length=200, pattern=TEXT)
    accounts: Listed = Field(default=[], max_length=100, description="account names or ids")
    permission_sets: Listed = Field(default=[], max_length=100)
    teams: Listed = Field(default=[], max_length=100)


class DecisionIn(Body):
    decision: Literal["certify", "revoke"]
    comment: str = Field(default="", max_length=2000, pattern=TEXT)


class CloseIn(Body):
    early: bool = Field(default=False, description="close before the deadline; undecided items stay so")
    write: bool = Field(default=False, description="write the revocations into the configuration directory")


class CampaignSummaryOut(Body):
    id: str
    name: str
    status: Literal["open", "closed"]
    created_by: str
    created_at: datetime
    deadline: datetime
    items: int
    decided: int


class ItemOut(Body):
    item: str
    subject: str
    account_id: str
    account_name: str
    permission_set: str
    source: Literal["configuration", "outside"]
    granted_by: list[str]
    reviewer: str | None
    decision: Literal["certify", "revoke"] | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    comment: str | None = None


class CampaignOut(Body):
    id: str
    name: str
    status: Literal["open", "closed"]
    created_by: str
    created_at: datetime
    deadline: datetime
    deadline_action: Literal["revoke", "report"]
    closed_at: datetime | None
    items: list[ItemOut]


class PendingOut(Body):
    campaign: str
    item: ItemOut


class DecisionOut(Body):
    item: str
    decision: Literal["certify", "revoke"]
    decided_by: str
    decided_at: datetime
    comment: str


class RemindedOut(Body):
    reviewers: dict[str, int]


class ClosedOut(Body):
    campaign: CampaignSummaryOut
    revocations: int
    config_file: str
    patch: str
    written: bool
    removed_outside: list[str]


class EvidenceOut(Body):
    item: str
    subject: str
    account_id: str
    account_name: str
    permission_set: str
    source: str
    granted_by: str
    reviewer: str
    decision: str
    decided_by: str
    decided_at: str
    comment: str
    changed_in_aws: str
