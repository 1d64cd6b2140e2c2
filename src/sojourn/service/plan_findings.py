"""Risks a plan would introduce: findings on permission sets that are new after the change."""

from __future__ import annotations

from sojourn.access.state import AccessState
from sojourn.analysis.finding import AnalysisContext, Finding, Risk
from sojourn.analysis.registry import analyse
from sojourn.policy import PolicyKind, parse_policy

ORDER = (Risk.CRITICAL, Risk.HIGH, Risk.MEDIUM, Risk.LOW, Risk.INFO)


def _findings(state: AccessState, context: AnalysisContext) -> dict[tuple[str, str, str], Finding]:
    found: dict[tuple[str, str, str], Finding] = {}
    for name, spec in state.permission_sets.items():
        if spec.inline_policy is None:
            continue
        policy = parse_policy(
            spec.inline_policy, source=f"permission set {name}", kind=PolicyKind.PERMISSION_SET_INLINE
        ).policy
        if policy is None:
            continue
        for finding in analyse(policy, context):
            found[(name, finding.check.id, finding.detail)] = finding
    return found


def new_findings(desired: AccessState, observed: AccessState, context: AnalysisContext) -> list[Finding]:
    """Findings present in the desired state and absent from what AWS has now."""
    before = _findings(observed, context)
    after = _findings(desired, context)
    return [finding for key, finding in sorted(after.items()) if key not in before]


def at_least(findings: list[Finding], threshold: Risk) -> list[Finding]:
    limit = ORDER.index(threshold)
    return [f for f in findings if ORDER.index(f.check.severity) <= limit]
