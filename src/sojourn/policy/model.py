"""The typed, normalised IAM policy: statements, principals and conditions, each with its place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from sojourn.policy.access_analyzer import access_analyzer_code


class PolicyKind(StrEnum):
    """Where a policy is used; it decides which elements are allowed and the size quota (see quotas.py)."""

    IDENTITY = "identity"
    """An identity policy whose attachment is not known: judged against the largest identity quota."""
    MANAGED = "managed"
    INLINE_USER = "inline-user"
    INLINE_GROUP = "inline-group"
    INLINE_ROLE = "inline-role"
    RESOURCE = "resource"
    TRUST = "trust"
    SCP = "scp"
    RCP = "rcp"
    BOUNDARY = "boundary"
    SESSION = "session"
    ENDPOINT = "endpoint"
    PERMISSION_SET_INLINE = "permission-set-inline"
    AWS_MANAGED = "aws-managed"


IDENTITY_POLICY_KINDS = frozenset(
    {
        PolicyKind.IDENTITY,
        PolicyKind.MANAGED,
        PolicyKind.INLINE_USER,
        PolicyKind.INLINE_GROUP,
        PolicyKind.INLINE_ROLE,
    }
)
"""Policies attached to IAM users, groups and roles (customer managed or inline)."""


class Severity(StrEnum):
    """An ERROR makes AWS reject the policy or makes it wrong; a WARNING is likely a mistake."""

    ERROR = "error"
    WARNING = "warning"


class Effect(StrEnum):
    """A statement's Effect."""

    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True, slots=True)
class PolicyIssue:
    """One problem found in a policy, with where it is; str() gives `source:line:col: path: message`."""

    source: str
    line: int
    col: int
    path: str
    code: str
    severity: Severity
    message: str
    aa_code: str | None = None
    """Access Analyzer's issue code where the reader knows it better than the code table does."""

    @property
    def access_analyzer_code(self) -> str | None:
        """The IAM Access Analyzer ValidatePolicy issue code of the same problem, or None."""
        return self.aa_code or access_analyzer_code(self.code, self.path)

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}:{self.col}" if self.line else self.source
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class Located(NamedTuple):
    """Where an element was written: its path in the document and its 1-based line and column (a tuple:
    a policy has one per action and resource, and tuples are cheap to make)."""

    path: str
    line: int = 0
    col: int = 0


@dataclass(frozen=True, slots=True)
class Principal:
    """One principal entry: kind is "*", "AWS", "Service", "Federated" or "CanonicalUser"."""

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Condition:
    """One operator/key pair of a Condition block with its values as strings."""

    operator: str
    """The operator as written, e.g. "ForAnyValue:StringLikeIfExists"."""
    base: str
    """The operator without qualifier and IfExists, e.g. "StringLike"."""
    qualifier: str | None
    """"ForAnyValue", "ForAllValues" or None."""
    if_exists: bool
    key: str
    values: tuple[str, ...]
    where: Located


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement, normalised: single strings become tuples, absent elements are None."""

    index: int
    sid: str | None
    effect: Effect
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    principals: tuple[Principal, ...] | None
    not_principals: tuple[Principal, ...] | None
    conditions: tuple[Condition, ...]
    where: Located
    action_places: tuple[Located, ...] = ()
    resource_places: tuple[Located, ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    """A parsed policy: its statements, kind, Version and size as AWS counts it."""

    source: str
    kind: PolicyKind
    version: str | None
    id: str | None
    statements: tuple[Statement, ...]
    size: int
    """Characters of the document as AWS counts them for this kind."""
