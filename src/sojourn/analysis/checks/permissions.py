"""Risky grants in identity policies: PassRole on every role, Allow with NotAction or NotResource."""

from __future__ import annotations

from collections.abc import Iterator

from sojourn.analysis.finding import AnalysisContext, CheckMeta, Finding, Risk
from sojourn.policy.model import Effect, Policy
from sojourn.policy.wildcards import action_matches

PASSROLE_STAR = CheckMeta(
    id="passrole-on-all-roles",
    severity=Risk.HIGH,
    title='iam:PassRole allowed on Resource "*"',
    remediation="List the roles that may be passed, and add an iam:PassedToService condition.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", '
    '"Resource": "*"}]}',
)
ALLOW_NOT_ACTION = CheckMeta(
    id="allow-with-not-action",
    severity=Risk.MEDIUM,
    title="Allow with NotAction grants everything else, including future actions",
    remediation="List the actions to allow instead of the ones to leave out.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", '
    '"Resource": "*"}]}',
)
ALLOW_NOT_RESOURCE = CheckMeta(
    id="allow-with-not-resource",
    severity=Risk.MEDIUM,
    title="Allow with NotResource grants every other resource, including future ones",
    remediation="List the resources to allow instead of the ones to leave out.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", '
    '"NotResource": "arn:aws:s3:::secret/*"}]}',
)


def _passes(patterns: tuple[str, ...]) -> bool:
    """Whether a pattern names iam:PassRole (only one whose service part is "iam" or a wildcard can)."""
    for pattern in patterns:
        service = pattern.partition(":")[0]
        if (service.lower() == "iam" or "*" in service or "?" in service) and action_matches(
            pattern, "iam:PassRole"
        ):
            return True
    return False


def passrole_on_all_roles(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        if statement.effect is not Effect.ALLOW or "*" not in (statement.resources or ()):
            continue
        grants = _passes(statement.actions or ()) or (
            statement.not_actions is not None and not _passes(statement.not_actions)
        )
        if grants and not any(c.key.lower() == "iam:passedtoservice" for c in statement.conditions):
            where = statement.where
            yield Finding(
                PASSROLE_STAR,
                policy.source,
                where.line,
                where.col,
                where.path,
                "any role, including administrators, can be passed to a service the caller controls",
            )


def allow_with_not_action(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        if statement.effect is Effect.ALLOW and statement.not_actions is not None:
            where = statement.where
            yield Finding(
                ALLOW_NOT_ACTION,
                policy.source,
                where.line,
                where.col,
                where.path,
                f"allows every action except {', '.join(statement.not_actions)}",
            )


def allow_with_not_resource(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        if statement.effect is Effect.ALLOW and statement.not_resources is not None:
            where = statement.where
            yield Finding(
                ALLOW_NOT_RESOURCE,
                policy.source,
                where.line,
                where.col,
                where.path,
                f"allows every resource except {', '.join(statement.not_resources)}",
            )
