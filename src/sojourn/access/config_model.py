"""The configuration schema as pydantic models: the validated shape of the YAML files."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sojourn.access.aws_rules import (
    PERMISSION_SET_NAME,
    check_account_id,
    check_managed_policy_arn,
    check_session_duration,
)
from sojourn.inputs.patterns import compile_pattern


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SettingsModel(Strict):
    region: str = "us-east-1"
    """AWS: the Identity Center instance's region."""
    instance_arn: str | None = None
    """AWS: which Identity Center instance, when the region has more than one."""
    identity_source: Literal["identity_center", "external"] = "identity_center"
    drift: Literal["remove", "report"] = "remove"


class PersonModel(Strict):
    user_name: str = Field(min_length=1, max_length=128)
    display_name: str = ""
    email: str = ""
    given_name: str = ""
    family_name: str = ""


EARLIEST_YEAR, LATEST_YEAR = 1970, 2999
"""Dates and times a configuration may give; far from what Python's dates can hold, so adding a shift
or a grant's length to one never overflows."""


def check_year(value: date | None) -> date | None:
    """The date or time itself, or ValueError when its year is outside EARLIEST_YEAR..LATEST_YEAR."""
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"the year {value.year} is outside {EARLIEST_YEAR}..{LATEST_YEAR}; give a real date")
    return value


class MemberModel(Strict):
    person: str
    since: date | None = Field(default=None, alias="from")
    until: date | None = None
    """Last day of the membership, inclusive."""

    @field_validator("since", "until")
    @classmethod
    def _years(cls, value: date | None) -> date | None:
        return check_year(value)


class SelectorModel(Strict):
    all: bool = False
    ids: list[str] = []
    names: list[str] = []
    ous: list[str] = []
    tags: dict[str, str] = {}
    own: bool = False
    exclude: SelectorModel | None = None

    @field_validator("ids")
    @classmethod
    def _account_ids(cls, ids: list[str]) -> list[str]:
        return [check_account_id(account_id) for account_id in ids]


class TeamModel(Strict):
    name: str = Field(min_length=1, max_length=128)
    description: str = ""
    accounts: SelectorModel | None = None
    members: list[str | MemberModel] = []


class GroupModel(Strict):
    """An identity-provider group that rules may target: `{name: platform-admins, description: ...}`."""

    name: str = Field(min_length=1, max_length=1024)
    description: str = ""

    @model_validator(mode="before")
    @classmethod
    def _not_a_bare_name(cls, value: object) -> object:
        if isinstance(value, str):
            raise ValueError(
                f"a group is a mapping, not a bare name: write `- {{name: {value}}}` "
                "(description optional; see docs/configuration.md, Groups)"
            )
        return value


class CustomerPolicyModel(Strict):
    name: str
    path: str = "/"


class BoundaryModel(Strict):
    managed_policy_arn: str | None = None
    customer_managed: CustomerPolicyModel | None = None


class PermissionSetModel(Strict):
    name: str = Field(pattern=PERMISSION_SET_NAME)
    description: str = Field(default="", max_length=700)
    session_duration: str = "PT1H"
    managed_policies: list[str] = []
    customer_managed_policies: list[CustomerPolicyModel] = []
    inline_policy: dict[str, object] | str | None = None
    permissions_boundary: BoundaryModel | None = None
    tags: dict[str, str] = {}
    supersedes: list[str] = []

    @field_validator("session_duration")
    @classmethod
    def _duration(cls, value: str) -> str:
        return check_session_duration(value)

    @field_validator("managed_policies")
    @classmethod
    def _managed(cls, arns: list[str]) -> list[str]:
        return [check_managed_policy_arn(arn) for arn in arns]


class WhoModel(Strict):
    teams: list[str] = []
    people: list[str] = []
    groups: list[str] = []


class RuleModel(Strict):
    name: str
    who: WhoModel
    where: SelectorModel
    what: list[str] = Field(min_length=1)


SPAN = re.compile(r"^(\d+)([mhd])$")
MINUTES = {"m": 1, "h": 60, "d": 1440}
LONGEST_SPAN = 366 * 1440
"""The longest duration a configuration may give (a grant, an answer time, a shift): 366 days."""
LONGEST_ANY_SPAN = 3660 * 1440
"""The longest duration Sojourn reads anywhere (ten years), far inside what a date can hold."""


def span_minutes(value: str, longest: int = LONGEST_ANY_SPAN) -> int:
    """ "30m", "2h", "1d" -> minutes; ValueError with a hint when malformed or longer than `longest`."""
    match = SPAN.fullmatch(value.strip())
    if not match or int(match.group(1)[:12]) <= 0:
        raise ValueError(f"{value!r} is not a duration such as 30m, 2h or 1d")
    if len(match.group(1)) > 12 or int(match.group(1)) * MINUTES[match.group(2)] > longest:
        raise ValueError(
            f"{value!r} is longer than {_span_text(longest)}; give at most {_span_text(longest)}"
        )
    return int(match.group(1)) * MINUTES[match.group(2)]


def _span_text(minutes: int) -> str:
    for unit, size in (("d", 1440), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


class ApproversModel(Strict):
    teams: list[str] = []
    people: list[str] = []
    count: int = Field(default=1, ge=1, le=5)


class EligibilityModel(Strict):
    name: str
    who: WhoModel
    permission_set: str
    where: SelectorModel
    max_duration: str = "4h"
    approvers: ApproversModel = ApproversModel()
    reason_required: bool = True
    ticket_pattern: str | None = None
    auto_approve: bool = False
    auto_approve_when_on_call: str | None = None
    answer_within: str = "24h"

    @field_validator("max_duration", "answer_within")
    @classmethod
    def _span(cls, value: str) -> str:
        span_minutes(value, LONGEST_SPAN)
        return value

    @field_validator("ticket_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is not None:
            compile_pattern(value)
        return value


class BreakGlassModel(Strict):
    name: str
    who: WhoModel
    permission_set: str
    where: SelectorModel
    max_duration: str = "1h"
    notify: list[str] = []

    @field_validator("max_duration")
    @classmethod
    def _span(cls, value: str) -> str:
        span_minutes(value, LONGEST_SPAN)
        return value


class OverrideModel(Strict):
    person: str
    since: datetime = Field(alias="from")
    until: datetime

    @field_validator("since", "until")
    @classmethod
    def _years(cls, value: date | None) -> date | None:
        return check_year(value)


class OnCallModel(Strict):
    name: str
    permission_set: str
    where: SelectorModel
    people: list[str] = []
    start: datetime | None = None
    length: str = "7d"
    handover: str | None = Field(default=None, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    timezone: str = "UTC"
    overrides: list[OverrideModel] = []
    ics_url: str | None = Field(default=None, pattern=r"^https?://")
    person_pattern: str | None = None
    person_from: Literal["summary", "attendee"] = "summary"
    margin: str = "5m"

    @field_validator("length", "margin")
    @classmethod
    def _span(cls, value: str) -> str:
        if value.strip() not in ("0m", "0h"):
            span_minutes(value, LONGEST_SPAN)
        return value

    @field_validator("start")
    @classmethod
    def _years(cls, value: datetime | None) -> datetime | None:
        check_year(value)
        return value

    @field_validator("person_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is not None:
            compile_pattern(value)
        return value


class ReviewsModel(Strict):
    """Access reviews: reviewer order, leads and owners, named reviewers, deadline and reminders."""

    reviewers: list[Literal["team_lead", "account_owner", "named"]] = Field(
        default=["team_lead", "account_owner", "named"], min_length=1
    )
    team_leads: dict[str, list[str]] = {}
    account_owners: dict[str, list[str]] = {}
    people: list[str] = []
    deadline: str = "14d"
    deadline_action: Literal["revoke", "report"] = "revoke"
    remind_every: str = "3d"

    @field_validator("deadline", "remind_every")
    @classmethod
    def _span(cls, value: str) -> str:
        span_minutes(value, LONGEST_SPAN)
        return value


class RevocationModel(Strict):
    """One assignment an access review revoked: `{person: bob, account: "1234...", permission_set: x}`."""

    account: str
    permission_set: str
    person: str | None = None
    group: str | None = None
    review: str = ""
    decided_by: str = ""
    comment: str = ""

    @field_validator("account")
    @classmethod
    def _account_id(cls, value: str) -> str:
        return check_account_id(value)

    @model_validator(mode="after")
    def _one_principal(self) -> RevocationModel:
        if (self.person is None) == (self.group is None):
            raise ValueError("name exactly one of person or group")
        return self


class FileModel(Strict):
    """One configuration file; a directory's files are merged."""

    settings: SettingsModel | None = None
    people: list[PersonModel] = []
    teams: list[TeamModel] = []
    groups: list[GroupModel] = []
    permission_sets: list[PermissionSetModel] = []
    rules: list[RuleModel] = []
    eligibility: list[EligibilityModel] = []
    break_glass: list[BreakGlassModel] = []
    on_call: list[OnCallModel] = []
    reviews: ReviewsModel | None = None
    revocations: list[RevocationModel] = []
