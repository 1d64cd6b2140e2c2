"""Every policy check, listed once: the one place to add a check."""

from __future__ import annotations

from collections.abc import Iterable

from sojourn.analysis.checks import (
    condition_keys,
    condition_logic,
    condition_values,
    duplicate_statements,
    federated_trust,
    permissions,
    principals,
    redundancy,
    resources,
    service_linked,
    tag_keys,
    trust,
)
from sojourn.analysis.finding import AnalysisContext, Check, CheckMeta, Finding
from sojourn.analysis.report_checks import COMPUTE_ADMIN, ESCALATION_PATH, ESCALATION_TO_ADMIN
from sojourn.analysis.risk_findings import RISKS
from sojourn.policy.model import IDENTITY_POLICY_KINDS, Policy, PolicyKind

IDENTITY_KINDS = frozenset(
    {*(kind.value for kind in IDENTITY_POLICY_KINDS), "boundary", "permission-set-inline", "aws-managed"}
)
RESOURCE_KINDS = frozenset({"resource"})
ALL_KINDS = frozenset(kind.value for kind in PolicyKind)
TRUST = frozenset({"trust"})

CHECKS: tuple[Check, ...] = (
    Check(trust.WILDCARD_TRUST, trust.wildcard_trust, TRUST),
    Check(trust.EXTERNAL_WITHOUT_EXTERNAL_ID, trust.external_account, TRUST),
    Check(trust.HUMAN_WITHOUT_MFA, trust.human_without_mfa, TRUST),
    Check(permissions.PASSROLE_STAR, permissions.passrole_on_all_roles, IDENTITY_KINDS),
    Check(service_linked.CREATE_SLR_STAR, service_linked.create_slr_for_any_service, IDENTITY_KINDS),
    Check(permissions.ALLOW_NOT_ACTION, permissions.allow_with_not_action, IDENTITY_KINDS),
    Check(permissions.ALLOW_NOT_RESOURCE, permissions.allow_with_not_resource, IDENTITY_KINDS),
    Check(principals.RESOURCE_WILDCARD_PRINCIPAL, principals.resource_wildcard_principal, RESOURCE_KINDS),
    Check(principals.SERVICE_WITHOUT_SOURCE, principals.service_without_source, RESOURCE_KINDS | {"trust"}),
    Check(
        resources.ACTION_RESOURCE_MISMATCH,
        resources.action_resource_mismatch,
        IDENTITY_KINDS | RESOURCE_KINDS,
    ),
    Check(condition_keys.KEY_NOT_SUPPORTED, condition_keys.key_not_supported, ALL_KINDS),
    Check(tag_keys.ALLOW_TAG_UNSUPPORTED, tag_keys.allow_with_unsupported_tag_keys, ALL_KINDS - {"trust"}),
    Check(tag_keys.DENY_TAG_UNSUPPORTED, tag_keys.deny_with_unsupported_tag_keys, ALL_KINDS - {"trust"}),
    Check(condition_keys.OPERATOR_TYPE_MISMATCH, condition_keys.operator_type_mismatch, ALL_KINDS),
    Check(redundancy.REDUNDANT, redundancy.redundant_entries, ALL_KINDS),
    Check(condition_logic.CONSTANT_CONDITION, condition_logic.constant_conditions, ALL_KINDS),
    Check(condition_values.WILDCARD_WITHOUT_LIKE, condition_values.wildcard_without_like, ALL_KINDS),
    Check(condition_values.REDUNDANT_NUMERIC_VALUE, condition_values.redundant_numeric_values, ALL_KINDS),
    Check(condition_values.MISSING_PAIRED_KEY, condition_values.missing_paired_keys, ALL_KINDS),
    Check(duplicate_statements.DUPLICATE_STATEMENT, duplicate_statements.duplicate_statements, ALL_KINDS),
    Check(federated_trust.GITHUB_WITHOUT_REPO, federated_trust.github_without_repository, TRUST),
    Check(federated_trust.OIDC_WITHOUT_CONDITION, federated_trust.oidc_without_condition, TRUST),
    Check(federated_trust.MISMATCHED_ACTION, federated_trust.mismatched_action, TRUST),
    Check(federated_trust.REDUNDANT_SESSION, federated_trust.redundant_session, TRUST),
)

REPORT_CHECKS: tuple[CheckMeta, ...] = (*RISKS.values(), ESCALATION_PATH)
"""Findings a whole-policy report adds to CHECKS (analysis.policy_report); each example is a policy."""
SNAPSHOT_CHECKS: tuple[CheckMeta, ...] = (COMPUTE_ADMIN, ESCALATION_TO_ADMIN)
"""Findings only the access graph of a snapshot shows (analysis.snapshot_findings); each example is a
snapshot."""
ALL_CHECKS: tuple[CheckMeta, ...] = (*(check.meta for check in CHECKS), *REPORT_CHECKS, *SNAPSHOT_CHECKS)
"""The metadata of every finding Sojourn reports."""


def analyse(policy: Policy, context: AnalysisContext, checks: Iterable[Check] = CHECKS) -> list[Finding]:
    """Every finding of every check that applies to this kind of policy, in document order."""
    findings = [f for check in checks if policy.kind.value in check.kinds for f in check.run(policy, context)]
    return sorted(findings, key=lambda f: (f.line, f.col, f.check.id))
