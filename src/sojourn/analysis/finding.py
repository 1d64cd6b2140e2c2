"""Findings and the metadata every check declares (stable id, severity, title, remediation, example)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from sojourn.catalog import ActionCatalog
from sojourn.policy.model import Policy


class Risk(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class CheckMeta:
    id: str
    severity: Risk
    title: str
    remediation: str
    example: str
    """A policy document (JSON text) that the check flags; the meta-test runs it."""


@dataclass(frozen=True, slots=True)
class Finding:
    check: CheckMeta
    source: str
    line: int
    col: int
    path: str
    detail: str

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
