"""iam:CreateServiceLinkedRole on every service (Access Analyzer's CREATE_SLR_* general warnings).

An Allow that grants iam:CreateServiceLinkedRole on Resource "*" (or with NotResource) lets the caller
create the service-linked role of any service, and with it whatever that role allows the service to do.
An iam:AWSServiceName condition that fails without the key and is not negated narrows it to the listed
services, as AWS's own managed policies do.
"""

from __future__ import annotations

from collections.abc import Iterator

from sojourn.analysis.checks.common import statement_finding
from sojourn.analysis.checks.permissions import wide_grant
from sojourn.analysis.finding import AnalysisContext, CheckMeta, Finding, Risk
from sojourn.policy.model import Policy

CREATE_SLR_STAR = CheckMeta(
    id="create-slr-for-any-service",
    severity=Risk.LOW,
    title="iam:CreateServiceLinkedRole allowed for every service",
    remediation="Add an iam:AWSServiceName condition (StringEquals or StringLike) naming the services whose "
    "service-linked roles may be created.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Action": "iam:CreateServiceLinkedRole", "Resource": "*"}]}',
    aa_code="CREATE_SLR_WITH_STAR_IN_RESOURCE",
)


def create_slr_for_any_service(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        found = wide_grant(statement, "iam:CreateServiceLinkedRole", "iam:awsservicename")
        if found is None:
            continue
        shape, entry = found
        finding = statement_finding(
            CREATE_SLR_STAR,
            policy,
            statement,
            f"{entry} allows creating the service-linked role of any service, with no iam:AWSServiceName "
            "condition",
        )
        yield Finding(
            finding.check,
            finding.source,
            finding.line,
            finding.col,
            finding.path,
            finding.detail,
            f"CREATE_SLR_WITH_{shape}",
        )
