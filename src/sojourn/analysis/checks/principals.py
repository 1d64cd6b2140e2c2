"""Who a resource or trust policy lets in: everyone, or an AWS service acting for anyone.

`resource-policy-wildcard-principal`: an Allow for Principal "*" (or {"AWS": "*"}) in a resource policy is
public unless a condition narrows the caller. Only a condition that must hold for the request counts: a
positive operator (not a Not... one), without IfExists or ForAllValues (both pass when the key is
missing, as it is for anonymous callers), and with a value other than "*". AWS:SourceOwner counts: SNS's
default topic policy grants {"AWS": "*"} limited by it to the topic owner's account.

`service-principal-without-source`: a service principal acts for every AWS customer, so without
aws:SourceArn, aws:SourceAccount, aws:SourceOrgID or aws:SourceOrgPaths another account can make it use
your resource or role (the cross-service confused deputy). The key must narrow as above. Decided scope:
- resource policies: every Allow to a service principal is flagged;
- trust policies: the same, except for the compute services in `OWN_ACCOUNT_SERVICES` (EC2, Lambda, ECS,
  EKS, ...). They assume a role only for a resource of the role's own account that it was passed to
  (instance profile, function, task, cluster, pod) and AWS does not ask for the keys there; the
  services that accept a role ARN from any account (Config, CloudTrail, SNS, ...) are the deputies.
"""

from __future__ import annotations

from collections.abc import Iterator

from sojourn.analysis.checks.common import matches_when_absent, statement_finding
from sojourn.analysis.finding import AnalysisContext, CheckMeta, Finding, Risk
from sojourn.policy.model import Condition, Effect, Policy, PolicyKind, Statement
from sojourn.policy.operators import NEGATED

CALLER_KEYS = frozenset(
    {
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourcevpce",
        "aws:sourcevpc",
        "aws:sourceip",
        "aws:sourceowner",
    }
)
SOURCE_KEYS = frozenset({"aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths"})
OWN_ACCOUNT_SERVICES = frozenset(
    {
        "ec2",
        "lambda",
        "edgelambda",
        "ecs",
        "ecs-tasks",
        "eks",
        "eks-fargate-pods",
        "pods.eks",
    }
)

RESOURCE_WILDCARD_PRINCIPAL = CheckMeta(
    id="resource-policy-wildcard-principal",
    severity=Risk.CRITICAL,
    title='Resource policy allows Principal "*" with no condition narrowing the caller',
    remediation="Name the principals, or require aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceVpce "
    "or a similar key with StringEquals.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", '
    '"Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}',
)
SERVICE_WITHOUT_SOURCE = CheckMeta(
    id="service-principal-without-source",
    severity=Risk.MEDIUM,
    title="Service principal allowed without aws:SourceArn or aws:SourceAccount (confused deputy)",
    remediation="Add aws:SourceArn (the resource acting) or aws:SourceAccount (your account) with "
    "ArnEquals or StringEquals.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole"}]}',
    aa_code="RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL",
)


def _narrows(condition: Condition, keys: frozenset[str]) -> bool:
    return (
        condition.key.lower() in keys
        and condition.base not in NEGATED
        and not matches_when_absent(condition)
        and any(value != "*" for value in condition.values)
    )


def _is_public(statement: Statement) -> bool:
    return any(p.kind == "*" or (p.kind == "AWS" and p.value == "*") for p in statement.principals or ())


def resource_wildcard_principal(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        if statement.effect is not Effect.ALLOW or not _is_public(statement):
            continue
        if not any(_narrows(c, CALLER_KEYS) for c in statement.conditions):
            yield statement_finding(
                RESOURCE_WILDCARD_PRINCIPAL,
                policy,
                statement,
                "anyone, in any account or anonymous, is allowed",
            )


def service_name(principal: str) -> str:
    """ "sns.amazonaws.com" -> "sns"; "pods.eks.amazonaws.com.cn" -> "pods.eks"."""
    return principal.lower().removesuffix(".cn").removesuffix(".amazonaws.com")


def service_without_source(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        if statement.effect is not Effect.ALLOW or any(
            _narrows(c, SOURCE_KEYS) for c in statement.conditions
        ):
            continue
        for principal in statement.principals or ():
            if principal.kind != "Service":
                continue
            if policy.kind is PolicyKind.TRUST and service_name(principal.value) in OWN_ACCOUNT_SERVICES:
                continue
            yield statement_finding(
                SERVICE_WITHOUT_SOURCE,
                policy,
                statement,
                f"{principal.value} may act here on behalf of any AWS account",
            )
