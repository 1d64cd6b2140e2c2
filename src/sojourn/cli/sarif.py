"""Policy issues as SARIF 2.1.0, for code-scanning dashboards."""

from __future__ import annotations

from typing import Any

from sojourn import __version__
from sojourn.policy import PolicyIssue, Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def to_sarif(issues: list[PolicyIssue], data_version: str) -> dict[str, Any]:
    codes = sorted({issue.code for issue in issues})
    rules = [
        {"id": code, "name": code.replace("-", " "), "shortDescription": {"text": code.replace("-", " ")}}
        for code in codes
    ]
    results = [
        {
            "ruleId": issue.code,
            "ruleIndex": codes.index(issue.code),
            "level": "error" if issue.severity is Severity.ERROR else "warning",
            "message": {"text": f"{issue.path}: {issue.message}" if issue.path else issue.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": issue.source},
                        "region": {"startLine": issue.line, "startColumn": issue.col},
                    }
                }
            ],
        }
        for issue in issues
    ]
    driver = {
        "name": "sojourn",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": rules,
        "properties": {"catalog": data_version},
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]}
