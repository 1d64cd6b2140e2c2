"""Trust policies of roles assumed through identity providers and sessions: a GitHub or other OpenID
Connect provider without a condition on its claims, an assume action that does not fit the principal, and
a session named beside the role it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sojourn.analysis.checks.common import statement_finding
from sojourn.analysis.finding import AnalysisContext, CheckMeta, Finding, Risk
from sojourn.policy.model import Effect, Policy, Principal, Statement

GITHUB = "token.actions.githubusercontent.com"
WEB_IDENTITY = "sts:assumerolewithwebidentity"
SAML = "sts:assumerolewithsaml"
ASSUME_ROLE = "sts:assumerole"
WELL_KNOWN_OIDC = frozenset({"accounts.google.com", "graph.facebook.com", "www.amazon.com"})
COGNITO = "cognito-identity.amazonaws.com"
ASSUMED_ROLE = re.compile(r"^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role/([^/]+)/.+$")
ROLE = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):role/(?:.*/)?([^/]+)$")

GITHUB_WITHOUT_REPO = CheckMeta(
    id="github-oidc-without-repository",
    severity=Risk.HIGH,
    title="Role trusts GitHub's OpenID Connect provider without a condition on the token's subject",
    remediation=f'Add "StringLike": {{"{GITHUB}:sub": "repo:ORG/REPO:ref:refs/heads/BRANCH"}}: without it '
    "every GitHub workflow of every owner can assume the role.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": '
    '"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, '
    '"Action": "sts:AssumeRoleWithWebIdentity"}]}',
    aa_code="MISSING_GITHUB_REPO_CONDITION_KEY",
)
OIDC_WITHOUT_CONDITION = CheckMeta(
    id="oidc-without-claim-condition",
    severity=Risk.HIGH,
    title="Role trusts an OpenID Connect provider without a condition on the provider's claims",
    remediation="Add a condition on the provider's keys (PROVIDER:aud, PROVIDER:sub) so only the intended "
    "application and users of that provider can assume the role.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": '
    '"accounts.google.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}]}',
    aa_code="MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL",
)
MISMATCHED_ACTION = CheckMeta(
    id="assume-action-does-not-fit-principal",
    severity=Risk.LOW,
    title="An assume action that the trusted principal cannot use",
    remediation="SAML providers use sts:AssumeRoleWithSAML, OpenID Connect providers "
    "sts:AssumeRoleWithWebIdentity, AWS principals and services sts:AssumeRole.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": '
    '"arn:aws:iam::111122223333:saml-provider/corp"}, "Action": "sts:AssumeRoleWithWebIdentity"}]}',
    aa_code="MISMATCHED_ACTION_FOR_PRINCIPAL",
)
REDUNDANT_SESSION = CheckMeta(
    id="session-beside-its-role",
    severity=Risk.LOW,
    title="An assumed-role session trusted beside the role it is a session of",
    remediation="Remove the session ARN: trusting the role already covers every session of it.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": '
    '["arn:aws:iam::111122223333:role/deploy", "arn:aws:sts::111122223333:assumed-role/deploy/ci"]}, '
    '"Action": "sts:AssumeRole"}]}',
    aa_code="REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY",
)


def _allows(statement: Statement) -> bool:
    return statement.effect is Effect.ALLOW and statement.principals is not None


def _federated(statement: Statement) -> list[str]:
    return [p.value for p in statement.principals or () if p.kind == "Federated"]


def _provider_host(value: str) -> str | None:
    """The host an OpenID Connect provider's condition keys start with, or None for SAML and others."""
    if ":oidc-provider/" in value:
        return value.split(":oidc-provider/", 1)[1].lower()
    lowered = value.lower()
    return lowered if lowered in WELL_KNOWN_OIDC | {COGNITO} else None


def _keys(statement: Statement) -> set[str]:
    return {c.key.lower() for c in statement.conditions}


def github_without_repository(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        if not _allows(statement):
            continue
        hosts = {_provider_host(v) for v in _federated(statement)}
        if GITHUB in hosts and f"{GITHUB}:sub" not in _keys(statement):
            yield statement_finding(
                GITHUB_WITHOUT_REPO,
                policy,
                statement,
                f"no condition on {GITHUB}:sub: any repository's workflow may assume the role",
            )


def oidc_without_condition(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        if not _allows(statement):
            continue
        keys = _keys(statement)
        for value in _federated(statement):
            host = _provider_host(value)
            if host is None or host == GITHUB:
                continue
            if not any(key.startswith(f"{host}:") for key in keys):
                yield statement_finding(
                    OIDC_WITHOUT_CONDITION,
                    policy,
                    statement,
                    f"no condition on {host}'s claims ({host}:aud, {host}:sub): any user of the provider "
                    "may assume the role",
                )


def _fits(action: str, principal: Principal) -> bool:
    if principal.kind == "Federated":
        saml = ":saml-provider/" in principal.value
        return action == (SAML if saml else WEB_IDENTITY)
    return action == ASSUME_ROLE


def mismatched_action(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        if not _allows(statement):
            continue
        actions = {a.lower() for a in statement.actions or ()} & {ASSUME_ROLE, WEB_IDENTITY, SAML}
        principals = [p for p in statement.principals or () if p.kind in ("AWS", "Service", "Federated")]
        for action in sorted(actions):
            if principals and not any(_fits(action, p) for p in principals):
                named = ", ".join(p.value for p in principals)
                yield statement_finding(
                    MISMATCHED_ACTION, policy, statement, f"{action} cannot be used by {named}"
                )


def redundant_session(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        if not _allows(statement):
            continue
        values = [p.value for p in statement.principals or () if p.kind == "AWS"]
        roles = {(m.group(1), m.group(2), m.group(3)) for v in values if (m := ROLE.match(v))}
        for value in values:
            session = ASSUMED_ROLE.match(value)
            if session and (session.group(1), session.group(2), session.group(3)) in roles:
                yield statement_finding(
                    REDUNDANT_SESSION,
                    policy,
                    statement,
                    f"{value} is a session of role {session.group(3)}, which the statement already trusts",
                )
