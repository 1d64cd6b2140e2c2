"""Who can assume a role: wildcard principals, external accounts without ExternalId, humans without MFA."""

from __future__ import annotations

from collections.abc import Iterator

from sojourn.analysis.finding import AnalysisContext, CheckMeta, Finding, Risk
from sojourn.policy.model import Effect, Policy, Statement

NARROWING_KEYS = frozenset(
    {
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "sts:externalid",
        "aws:sourceidentity",
        "token.actions.githubusercontent.com:sub",
    }
)
ASSUME = ("sts:assumerole", "sts:*", "*")

WILDCARD_TRUST = CheckMeta(
    id="trust-wildcard-principal",
    severity=Risk.CRITICAL,
    title='Role trusts "*" with no condition narrowing who',
    remediation="Name the principals, or add a condition such as aws:PrincipalOrgID or aws:PrincipalAccount.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, '
    '"Action": "sts:AssumeRole"}]}',
)
EXTERNAL_WITHOUT_EXTERNAL_ID = CheckMeta(
    id="trust-external-account-without-external-id",
    severity=Risk.HIGH,
    title="Role trusts a whole account outside the organisation without sts:ExternalId",
    remediation="Require sts:ExternalId (a third party) or name the exact role that may assume it.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}]}',
)
HUMAN_WITHOUT_MFA = CheckMeta(
    id="trust-human-without-mfa",
    severity=Risk.MEDIUM,
    title="Role that people assume from an account root has no aws:MultiFactorAuthPresent condition",
    remediation='Add "Bool": {"aws:MultiFactorAuthPresent": "true"} to the trust policy of sensitive roles.',
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]}',
)


def _assumes(statement: Statement) -> bool:
    actions = [a.lower() for a in statement.actions or ()]
    return statement.effect is Effect.ALLOW and any(a.startswith(ASSUME) for a in actions)


def _condition_keys(statement: Statement) -> set[str]:
    return {c.key.lower() for c in statement.conditions}


def _finding(meta: CheckMeta, policy: Policy, statement: Statement, detail: str) -> Finding:
    where = statement.where
    return Finding(meta, policy.source, where.line, where.col, where.path, detail)


def wildcard_trust(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        if not _assumes(statement):
            continue
        wildcard = any(
            p.kind == "*" or (p.kind == "AWS" and p.value == "*") for p in statement.principals or ()
        )
        if wildcard and not _condition_keys(statement) & NARROWING_KEYS:
            yield _finding(
                WILDCARD_TRUST, policy, statement, "any AWS principal in any account may assume it"
            )


def external_account(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        if not _assumes(statement) or "sts:externalid" in _condition_keys(statement):
            continue
        for principal in statement.principals or ():
            account = _whole_account(principal.value) if principal.kind == "AWS" else None
            if account and account not in context.organization_accounts:
                yield _finding(
                    EXTERNAL_WITHOUT_EXTERNAL_ID,
                    policy,
                    statement,
                    f"every principal of account {account} (outside the organisation) may assume it",
                )


def human_without_mfa(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    """Whole-account trust inside the organisation means people (SSO sessions, users) can assume the role."""
    for statement in policy.statements:
        keys = _condition_keys(statement)
        if not _assumes(statement) or keys & {"aws:multifactorauthpresent", "aws:multifactorauthage"}:
            continue
        for principal in statement.principals or ():
            account = _whole_account(principal.value) if principal.kind == "AWS" else None
            if account and account in context.organization_accounts:
                yield _finding(
                    HUMAN_WITHOUT_MFA,
                    policy,
                    statement,
                    f"people of account {account} may assume it without MFA",
                )


def _whole_account(value: str) -> str | None:
    if value.isdigit() and len(value) == 12:
        return value
    if value.startswith("arn:") and value.endswith(":root"):
        return value.split(":")[4]
    return None
