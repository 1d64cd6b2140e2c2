"""One policy judged on its own: its parse and catalogue issues, every registry check, the access-level
profile, the risk categories of what it allows on any resource, and the escalation paths it opens.

Profile, risks and escalation paths apply to policies that grant (identity, AWS managed, permission-set
inline). An escalation path is first screened with catalogue bits (every required action named by some
Allow statement) and then decided by the evaluation engine for a holder of only this policy, so Deny
statements, conditions and resource constraints count exactly as they do in the access graph.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from sojourn.analysis.escalation import EscalationFinding, EscalationPath, find_escalations
from sojourn.analysis.finding import AnalysisContext, Finding, Risk
from sojourn.analysis.profile import each_statement_bits, granted_bits, less_outright_denies
from sojourn.analysis.registry import analyse
from sojourn.analysis.report_checks import ESCALATION_PATH
from sojourn.analysis.risk_categories import risk_category_bits
from sojourn.analysis.risk_findings import risk_finding
from sojourn.catalog import ActionBits, ActionCatalog
from sojourn.policy import ParseResult, Policy, PolicyIssue, PolicyKind, PolicySet, Statement, validate_policy
from sojourn.policy.model import IDENTITY_POLICY_KINDS

HOLDER_ACCOUNT = "123456789012"
"""The account a lone policy's holder is in when the policy names none in its resources."""
ACCOUNT_ID = re.compile(r"\d{12}")
GRANTING_KINDS = IDENTITY_POLICY_KINDS | {PolicyKind.AWS_MANAGED, PolicyKind.PERMISSION_SET_INLINE}
SAMPLE = 5


@dataclass(frozen=True, slots=True)
class PolicyReport:
    source: str
    policy: Policy | None
    issues: tuple[PolicyIssue, ...]
    """Parse and catalogue issues."""
    findings: tuple[Finding, ...]
    """Registry checks, then one finding per risk category, then one per escalation path."""
    profile: Mapping[str, int]
    """Allowed actions per access level; empty when the policy does not grant."""
    risks: Mapping[str, int]
    """Risk category -> how many actions of it the policy allows on any resource."""
    escalations: tuple[EscalationFinding, ...]

    @property
    def worst(self) -> Risk | None:
        return max((f.check.severity for f in self.findings), key=lambda risk: risk.rank, default=None)


def report_policy(
    parsed: ParseResult, context: AnalysisContext, paths: tuple[EscalationPath, ...]
) -> PolicyReport:
    policy = parsed.policy
    source = policy.source if policy is not None else (parsed.issues[0].source if parsed.issues else "")
    if policy is None:
        return PolicyReport(source, None, parsed.issues, (), {}, {}, ())
    catalog = context.catalog
    issues = parsed.issues + validate_policy(policy, catalog)
    findings = analyse(policy, context)
    if catalog is None or policy.kind not in GRANTING_KINDS:
        return PolicyReport(source, policy, issues, tuple(findings), {}, {}, ())
    each = each_statement_bits(policy, catalog)
    granted = granted_bits(policy, catalog, each)
    risks = risk_category_bits(policy, catalog, each)
    for category, bits in risks.items():
        if bits:
            findings.append(risk_finding(source, category, bits.bit_count(), catalog.names(bits, SAMPLE)))
    escalations = _escalations(policy, catalog, each, granted, paths)
    findings += [_escalation_finding(source, found.path) for found in escalations]
    return PolicyReport(
        source,
        policy,
        issues,
        tuple(findings),
        catalog.access_level_counts(less_outright_denies(policy, catalog, granted, each)),
        {category: bits.bit_count() for category, bits in risks.items()},
        tuple(escalations),
    )


def _escalations(
    policy: Policy,
    catalog: ActionCatalog,
    each: tuple[ActionBits, ...],
    granted: ActionBits,
    paths: tuple[EscalationPath, ...],
) -> list[EscalationFinding]:
    table, anything_needed = _required(paths, catalog)
    if anything_needed is not None and not granted & anything_needed:
        return []
    candidates = []
    needed = 0
    for path, required in table:
        if required is None:
            return _decide(policy, catalog, paths)
        if required & granted == required:
            candidates.append(path)
            needed |= required
    if not candidates:
        return []
    relevant = tuple(
        statement
        for statement, bits in zip(policy.statements, each, strict=True)
        if bits & needed or _service_wildcard(statement)
    )
    return _decide(replace(policy, statements=relevant), catalog, tuple(candidates))


def _service_wildcard(statement: Statement) -> bool:
    """A pattern such as "s?:Get*" whose service part is a pattern: the catalogue bits may not show
    every action it matches, so the statement stays for the engine."""
    patterns = statement.actions if statement.actions is not None else statement.not_actions or ()
    return any("*" in p.partition(":")[0] or "?" in p.partition(":")[0] for p in patterns if p != "*")


def holder(account: str) -> str:
    """The principal a lone policy is judged for: a role of the account holding only that policy."""
    return f"arn:aws:iam::{account}:role/sojourn-policy-holder"


def holder_accounts(policy: Policy) -> tuple[str, ...]:
    """The accounts the policy names in its Resource ARNs, or the example account when it names none: a
    policy scoped to its own account must be judged for a holder in that account."""
    named = set()
    for statement in policy.statements:
        for resource in statement.resources or ():
            parts = resource.split(":", 5)
            if len(parts) == 6 and ACCOUNT_ID.fullmatch(parts[4]):
                named.add(parts[4])
    return tuple(sorted(named)) or (HOLDER_ACCOUNT,)


def _decide(
    policy: Policy, catalog: ActionCatalog, paths: tuple[EscalationPath, ...]
) -> list[EscalationFinding]:
    """Each path opened for a holder in any of the accounts the policy names (the first account's
    evidence is kept), in path order."""
    found: dict[str, EscalationFinding] = {}
    for account in holder_accounts(policy):
        remaining = tuple(p for p in paths if p.id not in found)
        for finding in find_escalations(
            holder(account), account, PolicySet(identity=(policy,)), remaining, catalog
        ):
            found[finding.path.id] = finding
    return [found[p.id] for p in paths if p.id in found]


@lru_cache(maxsize=8)
def _required(
    paths: tuple[EscalationPath, ...], catalog: ActionCatalog
) -> tuple[tuple[tuple[EscalationPath, ActionBits | None], ...], ActionBits | None]:
    """Each path with its required actions as bits (None when the catalogue does not know every one of
    them: the engine then decides alone), and every required action of every path (None likewise)."""
    table: list[tuple[EscalationPath, ActionBits | None]] = []
    anything = 0
    for path in paths:
        bits = catalog.bits_of(path.required)
        known = bits.bit_count() == len(set(path.required))
        table.append((path, bits if known else None))
        anything |= bits
    every_known = all(bits is not None for _, bits in table)
    return tuple(table), anything if every_known else None


def _escalation_finding(source: str, path: EscalationPath) -> Finding:
    detail = f"{path.id}: {path.name}"
    return Finding(ESCALATION_PATH, source, 0, 0, "", detail)
