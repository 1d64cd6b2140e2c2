"""Policy issues as SARIF 2.1.0, for code-scanning dashboards."""

from __future__ import annotations

from typing import Any

from sojourn import __version__
from sojourn.analysis.finding import Finding, Risk
from sojourn.policy import PolicyIssue, Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _aa_property(code: str | None) -> dict[str, Any]:
    """The IAM Access Analyzer issue code of a result, as a SARIF property, when there is one."""
    return {"properties": {"accessAnalyzerIssueCode": code}} if code else {}


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
            **_aa_property(issue.access_analyzer_code),
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


def sarif_level(risk: Risk) -> str:
    """High and critical are SARIF errors, medium a warning, the rest notes."""
    return "error" if risk.at_least(Risk.HIGH) else "warning" if risk is Risk.MEDIUM else "note"


def findings_to_sarif(findings: list[Finding]) -> dict[str, Any]:
    """Analysis findings; each rule carries its title, remediation and severity."""
    metas = {f.check.id: f.check for f in findings}
    ids = sorted(metas)
    rules = [
        {
            "id": i,
            "name": i.replace("-", " "),
            "shortDescription": {"text": metas[i].title},
            "help": {"text": metas[i].remediation},
            "properties": {"severity": metas[i].severity.value},
        }
        for i in ids
    ]
    results = []
    for finding in findings:
        region = {"startLine": max(finding.line, 1), "startColumn": max(finding.col, 1)}
        results.append(
            {
                "ruleId": finding.check.id,
                "ruleIndex": ids.index(finding.check.id),
                "level": sarif_level(finding.check.severity),
                "message": {"text": f"{finding.path}: {finding.detail}" if finding.path else finding.detail},
                "locations": [
                    {"physicalLocation": {"artifactLocation": {"uri": finding.source}, "region": region}}
                ],
                **_aa_property(finding.access_analyzer_code),
            }
        )
    driver = {"name": "sojourn", "version": __version__, "semanticVersion": __version__, "rules": rules}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": results}]}


def combined_sarif(issues: list[PolicyIssue], findings: list[Finding], data_version: str) -> dict[str, Any]:
    """Parse and catalogue issues and analysis findings as one run (issue rules first)."""
    document = to_sarif(issues, data_version)
    run = document["runs"][0]
    extra = findings_to_sarif(findings)["runs"][0]
    offset = len(run["tool"]["driver"]["rules"])
    run["tool"]["driver"]["rules"] += extra["tool"]["driver"]["rules"]
    run["results"] += [{**result, "ruleIndex": result["ruleIndex"] + offset} for result in extra["results"]]
    return document
