"""The validated configuration as frozen core values, each element remembering where it was written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from sojourn.access.issues import ConfigIssue
from sojourn.access.review_settings import ReviewSettings, Revocation
from sojourn.access.state import PermissionSetSpec, UserSpec
from sojourn.workflow.opening import Terms
from sojourn.workflow.rotations import Rotation


class DriftMode(StrEnum):
    REMOVE = "remove"
    REPORT = "report"


class IdentitySource(StrEnum):
    IDENTITY_CENTER = "identity_center"
    EXTERNAL = "external"


@dataclass(frozen=True, slots=True)
class Origin:
    file: str
    line: int
    col: int
    field: str = ""

    def issue(self, message: str, field_suffix: str = "") -> ConfigIssue:
        """A problem reported at this place."""
        return ConfigIssue(self.file, self.line, self.col, self.field + field_suffix, message)


@dataclass(frozen=True, slots=True)
class Selector:
    all: bool = False
    ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    own: bool = False
    exclude: Selector | None = None


@dataclass(frozen=True, slots=True)
class TeamMember:
    person: str
    since: date | None = None
    until: date | None = None

    def active_on(self, day: date) -> bool:
        return (self.since is None or self.since <= day) and (self.until is None or day <= self.until)


@dataclass(frozen=True, slots=True)
class Team:
    name: str
    description: str
    accounts: Selector | None
    members: tuple[TeamMember, ...]
    origin: Origin


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    teams: tuple[str, ...]
    people: tuple[str, ...]
    groups: tuple[str, ...]
    where: Selector
    what: tuple[str, ...]
    origin: Origin


@dataclass(frozen=True, slots=True)
class EligibilityRule:
    """Who may ask (teams, people), on which accounts, who approves, and the terms of the request."""

    terms: Terms
    teams: tuple[str, ...]
    people: tuple[str, ...]
    where: Selector
    approver_teams: tuple[str, ...] = ()
    approver_people: tuple[str, ...] = ()
    origin: Origin | None = None


@dataclass(frozen=True, slots=True)
class OnCallSchedule:
    """Whoever is on call holds `permission_set` on `where` for exactly their shift (plus the margin)."""

    name: str
    permission_set: str
    where: Selector
    rotation: Rotation | None
    ics_url: str | None = None
    person_pattern: str | None = None
    person_from: str = "summary"
    margin: timedelta = timedelta(minutes=5)
    origin: Origin | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    region: str = "us-east-1"
    instance_arn: str | None = None
    identity_source: IdentitySource = IdentitySource.IDENTITY_CENTER
    drift: DriftMode = DriftMode.REMOVE


@dataclass(frozen=True, slots=True)
class AccessConfig:
    settings: Settings
    people: Mapping[str, UserSpec]
    teams: Mapping[str, Team]
    groups: Mapping[str, str]
    """External (IdP-provisioned) groups by name, with their descriptions."""
    permission_sets: Mapping[str, PermissionSetSpec]
    supersedes: Mapping[str, frozenset[str]]
    rules: tuple[Rule, ...]
    origins: Mapping[str, Origin] = field(default_factory=dict)
    """Where each named element was declared: "person:alice", "permission_set:developer", ..."""
    eligibility: tuple[EligibilityRule, ...] = ()
    on_call: tuple[OnCallSchedule, ...] = ()
    reviews: ReviewSettings = field(default_factory=ReviewSettings)
    revocations: tuple[Revocation, ...] = ()
    """Assignments access reviews revoked; the compiler leaves them out of the desired state."""
