"""Issues and findings as the JSON rows every command prints."""

from __future__ import annotations

from typing import Any

from sojourn.analysis.finding import Finding
from sojourn.policy import PolicyIssue


def issue_row(issue: PolicyIssue) -> dict[str, Any]:
    return {
        "file": issue.source,
        "line": issue.line,
        "column": issue.col,
        "path": issue.path,
        "code": issue.code,
        "severity": issue.severity.value,
        "message": issue.message,
        "aa_code": issue.access_analyzer_code,
    }


def finding_row(finding: Finding) -> dict[str, Any]:
    return {
        "check": finding.check.id,
        "severity": finding.check.severity.value,
        "source": finding.source,
        "line": finding.line,
        "column": finding.col,
        "path": finding.path,
        "detail": finding.detail,
        "remediation": finding.check.remediation,
        "aa_code": finding.access_analyzer_code,
    }
