"""Risky grants in identity policies: PassRole on every role, Allow with NotAction or NotResource.

`passrole-on-all-roles` follows Access Analyzer's PASS_ROLE_* checks: an Allow that grants iam:PassRole
(named, through a wildcard action, or through NotAction) on Resource "*" or with NotResource, unless an
iam:PassedToService condition restricts it. A condition restricts only when a request without the key
fails it and the operator is not negated: ...IfExists, StringNotEquals and ForAllValues do not."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from sojourn.analysis.checks.common import matches_when_absent
from sojourn.analysis.finding import AnalysisContext, CheckMeta, Finding, Risk
from sojourn.policy.model import Condition, Effect, Policy, Statement
from sojourn.policy.wildcards import action_matches

PASSROLE_STAR = CheckMeta(
    id="passrole-on-all-roles",
    severity=Risk.HIGH,
    title='iam:PassRole allowed on Resource "*"',
    remediation="List the roles that may be passed, and add an iam:PassedToService condition.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", '
    '"Resource": "*"}]}',
    aa_code="PASS_ROLE_WITH_STAR_IN_RESOURCE",
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


def _grants(patterns: tuple[str, ...], action: str) -> bool:
    """Whether a pattern matches the action (only one whose service part is the action's or a pattern can)."""
    prefix = action.partition(":")[0]
    for pattern in patterns:
        service = pattern.partition(":")[0]
        if (service.lower() == prefix or "*" in service or "?" in service) and action_matches(
            pattern, action
        ):
            return True
    return False


@lru_cache(maxsize=16)
def _could_match(prefix: str) -> Callable[[str], object]:
    """A filter for the entries that can match an action of the service prefix: its own, "*" and
    service patterns (a regular expression, so that long action lists are filtered without a Python loop)."""
    return re.compile(rf"(?i)(?:{re.escape(prefix)}|[^:]*[*?][^:]*)(?::|\Z)").match


def restricts(condition: Condition, key: str) -> bool:
    """Whether the condition on key narrows the request: it fails when the key is absent, and it is not
    negated (a negated operator admits every value but the ones listed)."""
    return (
        condition.key.lower() == key
        and not condition.if_exists
        and "Not" not in condition.base
        and not matches_when_absent(condition)
    )


def wide_grant(statement: Statement, action: str, key: str) -> tuple[str, str] | None:
    """How an Allow grants action on every resource without a restricting condition on key, as AA's
    codes name it ("STAR_IN_RESOURCE", "STAR_IN_ACTION_AND_RESOURCE", "NOT_ACTION_AND_STAR_RESOURCE", ...,
    with NOT_RESOURCE for NotResource), and which action entry grants it; None when it does not."""
    if statement.effect is not Effect.ALLOW:
        return None
    if "*" in (statement.resources or ()):
        resource = "RESOURCE"
    elif statement.not_resources is not None:
        resource = "NOT_RESOURCE"
    else:
        return None
    if any(restricts(c, key) for c in statement.conditions):
        return None
    if statement.not_actions is not None:
        if _grants(statement.not_actions, action):
            return None
        return (
            "NOT_ACTION_AND_STAR_RESOURCE" if resource == "RESOURCE" else "NOT_ACTION_AND_NOT_RESOURCE"
        ), "NotAction"
    prefix = action.partition(":")[0]
    named = [p for p in filter(_could_match(prefix), statement.actions or ()) if action_matches(p, action)]
    if not named:
        return None
    if any(p.lower() == action.lower() for p in named):
        return ("STAR_IN_RESOURCE" if resource == "RESOURCE" else "NOT_RESOURCE"), named[0]
    return (
        "STAR_IN_ACTION_AND_RESOURCE" if resource == "RESOURCE" else "STAR_IN_ACTION_AND_NOT_RESOURCE"
    ), named[0]


def passrole_on_all_roles(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        found = wide_grant(statement, "iam:PassRole", "iam:passedtoservice")
        if found is None:
            continue
        shape, _ = found
        shape = shape.replace("STAR_RESOURCE", "STAR_IN_RESOURCE")
        where = statement.where
        yield Finding(
            PASSROLE_STAR,
            policy.source,
            where.line,
            where.col,
            where.path,
            "any role, including administrators, can be passed to a service the caller controls",
            f"PASS_ROLE_WITH_{shape}",
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
