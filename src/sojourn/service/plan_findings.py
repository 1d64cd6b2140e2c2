"""Risks a plan would introduce: findings on permission sets' inline policies that are new after the change.

Each inline policy gets the whole report of `sojourn policy analyse`: the registry checks with the action
catalogue, its risk categories and the escalation capabilities it grants on its own. A risk category counts as
introduced only when the permission set did not have it before (its action count may change freely).
"""

from __future__ import annotations

from collections.abc import Iterable

from sojourn.access.state import AccessState
from sojourn.analysis.capability import default_steps
from sojourn.analysis.finding import AnalysisContext, Finding, Risk
from sojourn.analysis.policy_report import report_policy
from sojourn.catalog import ActionCatalog
from sojourn.policy import PolicyKind, parse_policy


def _key(name: str, finding: Finding) -> tuple[str, str, str]:
    detail = "" if finding.check.id.startswith("risk-") else finding.detail
    return name, finding.check.id, detail


def _findings(
    state: AccessState, accounts: frozenset[str], catalog: ActionCatalog
) -> dict[tuple[str, str, str], Finding]:
    inline = {name: spec.inline_policy for name, spec in state.permission_sets.items() if spec.inline_policy}
    if not inline:
        return {}
    steps = default_steps(catalog)
    context = AnalysisContext(accounts, None, catalog)
    found: dict[tuple[str, str, str], Finding] = {}
    for name, document in inline.items():
        parsed = parse_policy(
            document, source=f"permission set {name}", kind=PolicyKind.PERMISSION_SET_INLINE
        )
        for finding in report_policy(parsed, context, steps).findings:
            found[_key(name, finding)] = finding
    return found


def new_findings(
    desired: AccessState, observed: AccessState, accounts: Iterable[str], catalog: ActionCatalog
) -> list[Finding]:
    """Findings present in the desired state and absent from what AWS has now."""
    known = frozenset(accounts)
    before = _findings(observed, known, catalog)
    after = _findings(desired, known, catalog)
    return [finding for key, finding in sorted(after.items()) if key not in before]


def at_least(findings: list[Finding], threshold: Risk) -> list[Finding]:
    """The findings at least as severe as THRESHOLD, in their order."""
    return [f for f in findings if f.check.severity.at_least(threshold)]
