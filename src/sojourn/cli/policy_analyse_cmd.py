"""`sojourn policy analyse`: every check, the access-level profile, risks and escalation paths per file."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from sojourn.analysis.finding import Risk
from sojourn.analysis.policy_report import PolicyReport
from sojourn.cli.consoles import screen
from sojourn.cli.rows import finding_row, issue_row
from sojourn.cli.runtime import runtime
from sojourn.cli.sarif import combined_sarif
from sojourn.policy import PolicyKind
from sojourn.service.findings_report import html_report
from sojourn.service.policy_analysis import PolicyAnalysis, analyse_policy_files
from sojourn.service.policy_files import PolicyPathError

console = screen()
errors = screen(stderr=True)
PROGRESS_EVERY = 250


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    HTML = "html"


def analyse(
    paths: Annotated[list[Path], typer.Argument(help="policy JSON files, or folders of them")],
    kind: Annotated[PolicyKind, typer.Option(help="what kind of policy these are")] = PolicyKind.IDENTITY,
    output: Annotated[Format, typer.Option("--format", help="table, json, sarif or html")] = Format.TABLE,
    fail_on: Annotated[
        Risk | None, typer.Option(help="exit 2 when a finding is at least this severe")
    ] = None,
) -> None:
    """Exit 1 when a file has an error, 2 when --fail-on is met, 0 otherwise."""
    try:
        analysis = analyse_policy_files(paths, kind, runtime().catalog(), _progress)
    except PolicyPathError as error:
        raise typer.BadParameter(str(error)) from None
    _render(analysis, output)
    if analysis.has_errors:
        raise typer.Exit(1)
    if fail_on is not None and analysis.reaching(fail_on):
        raise typer.Exit(2)


def _progress(done: int, total: int) -> None:
    if total > PROGRESS_EVERY and done % PROGRESS_EVERY == 0:
        errors.print(f"analysed {done}/{total} policies", highlight=False)


def _render(analysis: PolicyAnalysis, output: Format) -> None:
    reports, issues, findings = analysis.reports, analysis.issues, analysis.findings
    if output is Format.JSON:
        print(json.dumps([_report_json(r) for r in reports], indent=1))
    elif output is Format.SARIF:
        print(json.dumps(combined_sarif(issues, findings, analysis.data_version), indent=1))
    elif output is Format.HTML:
        paths = [
            f"{r.source}: {e.path.id} via {'; '.join(e.evidence)}" for r in reports for e in r.escalations
        ]
        title = f"Sojourn policy analysis: {len(reports)} policies"
        sys.stdout.write(html_report(title, findings, paths, [str(i) for i in issues]))
    else:
        for report in reports:
            _print_report(report)
        console.print(f"{len(reports)} policies, {len(findings)} finding(s), {len(issues)} issue(s)")


def _print_report(report: PolicyReport) -> None:
    worst = report.worst.value if report.worst else "none"
    console.print(f"[bold]{escape(report.source)}[/bold]: worst {worst}", highlight=False)
    if report.profile:
        levels = ", ".join(f"{level} {count}" for level, count in report.profile.items())
        console.print(f"  allows {levels}", highlight=False, markup=False)
    for issue in report.issues:
        console.print(f"  {issue.severity.value} {issue}", highlight=False, markup=False)
    for finding in report.findings:
        console.print(f"  {finding}", highlight=False, markup=False)


def _report_json(report: PolicyReport) -> dict[str, Any]:
    return {
        "file": report.source,
        "worst": report.worst.value if report.worst else None,
        "issues": [issue_row(i) for i in report.issues],
        "findings": [finding_row(f) for f in report.findings],
        "profile": dict(report.profile),
        "risks": dict(report.risks),
        "escalations": [
            {
                "id": e.path.id,
                "name": e.path.name,
                "required": list(e.path.required),
                "evidence": list(e.evidence),
            }
            for e in report.escalations
        ],
    }
