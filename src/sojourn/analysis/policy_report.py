"""One policy judged on its own: its parse and catalogue issues, every registry check, the access-level
profile, the risk categories of what it allows on any resource, and the escalation capabilities it grants.

Profile, risks and escalation apply to policies that grant (identity, AWS managed, permission-set inline).
An escalation capability step (analysis.capability) is first screened with catalogue bits (every action it
needs named by some Allow statement) and then decided by the evaluation engine for a holder of only this
policy, so Deny statements, conditions and resource constraints count exactly as they do in the graph.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from sojourn.analysis.capability import Capability, Step, default_steps
from sojourn.analysis.capability_probe import PASS_ROLE, ProbeOracle, find_capabilities
from sojourn.analysis.escalation import EscalationFinding, EscalationPath
from sojourn.analysis.finding import AnalysisContext, Finding, Risk
from sojourn.analysis.profile import each_statement_bits, granted_bits, less_outright_denies
from sojourn.analysis.registry import analyse
from sojourn.analysis.report_checks import ESCALATION_PATH
from sojourn.analysis.risk_categories import risk_category_bits
from sojourn.analysis.risk_findings import risk_finding
from sojourn.catalog import ActionBits, ActionCatalog
from sojourn.policy import (
    ParseResult,
    Policy,
    PolicyIssue,
    PolicyKind,
    PolicySet,
    Statement,
    compile_policy_set,
    validate_policy,
)
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
    """Registry checks, then one finding per risk category, then one per escalation capability."""
    profile: Mapping[str, int]
    """Allowed actions per access level; empty when the policy does not grant."""
    risks: Mapping[str, int]
    """Risk category -> how many actions of it the policy allows on any resource."""
    escalations: tuple[EscalationFinding, ...]

    @property
    def worst(self) -> Risk | None:
        return max((f.check.severity for f in self.findings), key=lambda risk: risk.rank, default=None)


def report_policy(
    parsed: ParseResult, context: AnalysisContext, steps: tuple[Step, ...] | None = None
) -> PolicyReport:
    """The whole report; escalation from the capability steps (the catalogue's, unless given)."""
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
    steps = default_steps(catalog) if steps is None else steps
    escalations = _escalations(policy, catalog, each, granted, steps)
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
    steps: tuple[Step, ...],
) -> list[EscalationFinding]:
    """Screen the steps with catalogue bits (every action of a step named by some Allow statement), then
    let the engine decide the rest for a holder of only this policy."""
    by_bit, pass_role, anything = _step_bits(steps, catalog)
    present = granted & anything
    if not present:
        return []
    candidates = []
    needed = 0
    for _, step, own, groups in sorted(_steps_of(by_bit, present), key=lambda row: row[0]):
        if step.passes_role and not pass_role & granted:
            continue
        if all(group & granted for group in groups):
            candidates.append(step)
            needed |= own | (pass_role if step.passes_role else 0)
            for group in groups:
                needed |= group
    if not candidates:
        return []
    relevant = tuple(
        statement
        for statement, bits in zip(policy.statements, each, strict=True)
        if bits & needed or _service_wildcard(statement)
    )
    accounts = holder_accounts(policy)
    return _decide(replace(policy, statements=relevant), accounts, catalog, tuple(candidates))


StepRow = tuple[int, Step, ActionBits, tuple[ActionBits, ...]]
"""A step's place in the model's order, the step, its action's bit and its needed groups' bits."""
_STEP_TABLES: dict[
    tuple[int, int], tuple[object, object, dict[int, list[StepRow]], ActionBits, ActionBits]
] = {}


def _step_bits(
    steps: tuple[Step, ...], catalog: ActionCatalog
) -> tuple[dict[int, list[StepRow]], ActionBits, ActionBits]:
    """Steps by the bit of their action (with their needed groups as bits), iam:PassRole's bit, and every
    step action; built once per steps and catalogue (by identity: hashing the steps costs more than this)."""
    key = (id(steps), id(catalog))
    cached = _STEP_TABLES.get(key)
    if cached is None or cached[0] is not steps or cached[1] is not catalog:
        by_bit: dict[int, list[StepRow]] = {}
        anything = 0
        for place, step in enumerate(steps):
            own = catalog.bits_of((step.action,))
            groups = tuple(catalog.bits_of(g) for g in step.needs)
            by_bit.setdefault(own, []).append((place, step, own, groups))
            anything |= own
        cached = (steps, catalog, by_bit, catalog.bits_of((PASS_ROLE,)), anything)
        _STEP_TABLES[key] = cached
    return cached[2], cached[3], cached[4]


def _steps_of(by_bit: dict[int, list[StepRow]], present: ActionBits) -> list[StepRow]:
    """The steps whose action is among the present bits."""
    rows: list[StepRow] = []
    while present:
        low = present & -present
        rows += by_bit.get(low, ())
        present ^= low
    return rows


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
    policy: Policy, accounts: tuple[str, ...], catalog: ActionCatalog, steps: tuple[Step, ...]
) -> list[EscalationFinding]:
    """Each capability opened for a holder in any of the accounts the policy names (the first account
    that opens it gives the evidence), in capability order."""
    found: dict[str, EscalationFinding] = {}
    compiled = compile_policy_set(PolicySet(identity=(policy,)))
    for account in accounts:
        oracle = ProbeOracle(holder(account), account, compiled, catalog)
        for finding in find_capabilities(oracle, steps):
            found.setdefault(finding.path.id, finding)
    return [found[c.value] for c in Capability if c.value in found]


def _escalation_finding(source: str, path: EscalationPath) -> Finding:
    detail = f"{path.id}: {path.name}"
    return Finding(ESCALATION_PATH, source, 0, 0, "", detail)
