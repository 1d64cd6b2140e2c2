"""The analysis package's judgement of a generated policy: what it allows, and what is wrong with it."""

from __future__ import annotations

from sojourn.analysis.finding import AnalysisContext, Risk
from sojourn.analysis.policy_report import report_policy
from sojourn.analysis.profile import allowed_bits
from sojourn.catalog.catalog import ActionBits, ActionCatalog
from sojourn.policy.model import Policy, Severity
from sojourn.policy.parser import ParseResult


class AnalysisReview:
    """`PolicyReview` through the validator, the registered checks and the access-level profile."""

    def __init__(self, catalog: ActionCatalog) -> None:
        self._catalog = catalog
        self._context = AnalysisContext(catalog=catalog)

    def allowed(self, policy: Policy) -> ActionBits:
        return allowed_bits(policy, self._catalog)

    def problems(self, parsed: ParseResult) -> tuple[str, ...]:
        report = report_policy(parsed, self._context)
        found = [str(i) for i in report.issues if i.severity in (Severity.ERROR, Severity.WARNING)]
        found += [str(f) for f in report.findings if f.check.severity.rank > Risk.LOW.rank]
        return tuple(found)
