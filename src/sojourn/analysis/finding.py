"""Findings and the metadata every check declares (stable id, severity, title, remediation, example)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from sojourn.catalog import ActionCatalog
from sojourn.policy.model import Policy


class Risk(StrEnum):
    """How bad a finding is; the one order of risks is RISK_ORDER (compare with `rank`)."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for info up to 4 for critical."""
        return RISK_ORDER.index(self)

    def at_least(self, floor: Risk) -> bool:
        """Whether this risk is as bad as floor or worse."""
        return self.rank >= floor.rank


RISK_ORDER = (Risk.INFO, Risk.LOW, Risk.MEDIUM, Risk.HIGH, Risk.CRITICAL)
"""Every risk from the mildest to the worst."""


@dataclass(frozen=True, slots=True)
class CheckMeta:
    id: str
    severity: Risk
    title: str
    remediation: str
    example: str
    """A document (JSON text) that the check flags; the meta-test runs it (a policy, or for snapshot
    checks a snapshot)."""
    aa_code: str | None = None
    """The IAM Access Analyzer ValidatePolicy issue code of the same finding, when AA has one."""


@dataclass(frozen=True, slots=True)
class Finding:
    check: CheckMeta
    source: str
    line: int
    col: int
    path: str
    detail: str
    aa_code: str | None = None
    """Access Analyzer's issue code for this finding when it differs by case from the check's own."""

    @property
    def access_analyzer_code(self) -> str | None:
        """The IAM Access Analyzer issue code of this finding, or None when AA has no such check."""
        return self.aa_code or self.check.aa_code

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}:{self.col}" if self.line else self.source
        path = f" {self.path}:" if self.path else ""
        return f"{where}:{path} [{self.check.severity}] {self.check.id}: {self.detail}"


@dataclass(frozen=True, slots=True)
class AnalysisContext:
    """What a check may know beyond the policy: the organisation's accounts and id, the action catalogue.

    Checks that need the catalogue find nothing when it is None.
    """

    organization_accounts: frozenset[str] = frozenset()
    organization_id: str | None = None
    catalog: ActionCatalog | None = None


CheckFunction = Callable[[Policy, AnalysisContext], Iterator[Finding]]


@dataclass(frozen=True, slots=True)
class Check:
    meta: CheckMeta
    run: CheckFunction
    kinds: frozenset[str]
    """Policy kinds the check applies to ("identity", "trust", ...)."""
