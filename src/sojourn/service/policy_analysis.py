"""`policy analyse` as a use case: every check, the profile, risks and escalation paths of each file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sojourn.analysis.capability import Step, default_steps
from sojourn.analysis.finding import AnalysisContext, Finding, Risk
from sojourn.analysis.policy_report import PolicyReport, report_policy
from sojourn.catalog import ActionCatalog
from sojourn.policy import PolicyIssue, PolicyKind, Severity
from sojourn.service.plan_findings import at_least
from sojourn.service.policy_files import parse_file, policy_files

Progress = Callable[[int, int], None]
"""Called with (files analysed, files in all) as the run goes."""


@dataclass(frozen=True, slots=True)
class PolicyAnalysis:
    """One report per file, in the order the files were named (a folder's files sorted)."""

    reports: tuple[PolicyReport, ...]
    data_version: str

    @property
    def issues(self) -> list[PolicyIssue]:
        return [i for r in self.reports for i in r.issues]

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.reports for f in r.findings]

    @property
    def has_errors(self) -> bool:
        return any(i.severity is Severity.ERROR for i in self.issues)

    def reaching(self, threshold: Risk) -> list[Finding]:
        """The findings at least as severe as THRESHOLD."""
        return at_least(self.findings, threshold)


def analyse_policy_files(
    paths: Sequence[Path],
    kind: PolicyKind,
    catalog: ActionCatalog,
    progress: Progress | None = None,
    steps: tuple[Step, ...] | None = None,
) -> PolicyAnalysis:
    """Files and folders of policies, each judged on its own; raises PolicyPathError for a bad path."""
    files = policy_files(list(paths))
    context = AnalysisContext(catalog=catalog)
    known_steps = default_steps(catalog) if steps is None else steps
    reports = []
    for done, path in enumerate(files, 1):
        reports.append(report_policy(parse_file(path, kind), context, known_steps))
        if progress is not None:
            progress(done, len(files))
    return PolicyAnalysis(tuple(reports), catalog.version)
