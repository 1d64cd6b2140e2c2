"""The typed, normalised IAM policy: statements, principals and conditions, each with its place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PolicyKind(StrEnum):
    IDENTITY = "identity"
    RESOURCE = "resource"
    TRUST = "trust"
    SCP = "scp"
    RCP = "rcp"
    BOUNDARY = "boundary"
    SESSION = "session"
    ENDPOINT = "endpoint"
    PERMISSION_SET_INLINE = "permission-set-inline"
    AWS_MANAGED = "aws-managed"


QUOTAS: dict[PolicyKind, tuple[int, bool]] = {
    PolicyKind.IDENTITY: (6_144, True),
    PolicyKind.RESOURCE: (20_480, False),
    PolicyKind.TRUST: (4_096, True),
    PolicyKind.SCP: (5_120, False),
    PolicyKind.RCP: (5_120, False),
    PolicyKind.BOUNDARY: (6_144, True),
    PolicyKind.SESSION: (2_048, True),
    PolicyKind.ENDPOINT: (20_480, False),
    PolicyKind.PERMISSION_SET_INLINE: (32_768, False),
    PolicyKind.AWS_MANAGED: (1_000_000, True),
}
"""Characters allowed per policy type, and whether AWS ignores white space when counting.

Managed identity policies 6,144 (white space not counted), role trust policies 2,048 by default and at
most 4,096 after a quota increase, SCPs and RCPs 5,120 (counted with white space), session policies 2,048
packed, S3 bucket policies 20 KB, VPC endpoint policies 20,480, Identity Center inline 32,768.
"""


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Effect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True, slots=True)
class PolicyIssue:
    source: str
    line: int
    col: int
    path: str
    code: str
    severity: Severity
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}:{self.col}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Located:
    """Where an element was written: its path in the document and its 1-based line and column."""

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
    source: str
    kind: PolicyKind
    version: str | None
    id: str | None
    statements: tuple[Statement, ...]
    size: int
    """Characters of the document as AWS counts them for this kind."""
