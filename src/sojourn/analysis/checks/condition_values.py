"""Condition values that do not do what they look like: a wildcard under an exact operator, numeric values
that a wider one makes redundant, and a key that AWS documents as meaningful only beside another.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from sojourn.analysis.checks.common import statement_finding
from sojourn.analysis.finding import AnalysisContext, CheckMeta, Finding, Risk
from sojourn.policy.model import Condition, Policy

EXACT_STRING = frozenset(
    {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"}
)
UPPER_BOUNDS = frozenset({"NumericLessThan", "NumericLessThanEquals"})
LOWER_BOUNDS = frozenset({"NumericGreaterThan", "NumericGreaterThanEquals"})
ESCAPES = re.compile(r"\$\{[*?$]\}")
"""${*}, ${?} and ${$} stand for the characters themselves, so they are no wildcard."""
PAIRED_KEYS: dict[str, tuple[str, ...]] = {"aws:vpcsourceip": ("aws:SourceVpc", "aws:SourceVpce")}
"""aws:VpcSourceIp holds an address of a VPC's private range, which any VPC may use; it says which network
only beside the VPC or VPC endpoint it came through (IAM User Guide, global condition context keys)."""

ROOT_TRUST = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole", '
)

WILDCARD_WITHOUT_LIKE = CheckMeta(
    id="wildcard-without-like-operator",
    severity=Risk.LOW,
    title="A * or ? in the value of an exact string operator, which compares it as a character",
    remediation="Use StringLike / StringNotLike for a pattern, or ${*} / ${?} for the character itself.",
    example=ROOT_TRUST + '"Condition": {"StringEquals": {"aws:PrincipalTag/team": "web-*"}}}]}',
    aa_code="WILDCARD_WITHOUT_LIKE_OPERATOR",
)
REDUNDANT_NUMERIC_VALUE = CheckMeta(
    id="redundant-numeric-condition-value",
    severity=Risk.INFO,
    title="Several bounds under one numeric operator, where the widest alone decides",
    remediation="Keep only the widest bound: the largest for LessThan, the smallest for GreaterThan.",
    example=ROOT_TRUST + '"Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": ["3600", "600"]}}}]}',
    aa_code="REDUNDANT_CONDITION_VALUE_NUM",
)
MISSING_PAIRED_KEY = CheckMeta(
    id="missing-paired-condition-key",
    severity=Risk.LOW,
    title="A condition key that narrows nothing without the key it is documented to pair with",
    remediation="Add the paired key to the same statement (for aws:VpcSourceIp: aws:SourceVpc or "
    "aws:SourceVpce).",
    example=ROOT_TRUST + '"Condition": {"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}}}]}',
    aa_code="MISSING_PAIRED_CONDITION_KEYS",
)


def wildcard_without_like(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        for condition in statement.conditions:
            if condition.base not in EXACT_STRING:
                continue
            patterns = [v for v in condition.values if set(ESCAPES.sub("", v)) & {"*", "?"}]
            if patterns:
                yield statement_finding(
                    WILDCARD_WITHOUT_LIKE,
                    policy,
                    statement,
                    f"{condition.operator} on {condition.key} compares {patterns[0]!r} character by "
                    "character; a like operator would treat * and ? as wildcards",
                )


def redundant_numeric_values(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        for condition in statement.conditions:
            redundant = _outbid(condition)
            if redundant:
                yield statement_finding(
                    REDUNDANT_NUMERIC_VALUE,
                    policy,
                    statement,
                    f"{condition.operator} on {condition.key}: {', '.join(redundant)} add nothing "
                    "beside the widest bound",
                )


def _outbid(condition: Condition) -> list[str]:
    if condition.base not in UPPER_BOUNDS | LOWER_BOUNDS or len(condition.values) < 2:
        return []
    numbers: list[tuple[Decimal, str]] = []
    for value in condition.values:
        try:
            number = Decimal(value)
        except InvalidOperation:
            return []
        if not number.is_finite():
            return []
        numbers.append((number, value))
    widest = max(numbers) if condition.base in UPPER_BOUNDS else min(numbers)
    return [text for number, text in numbers if number != widest[0] or text != widest[1]]


def missing_paired_keys(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        keys = {c.key.lower() for c in statement.conditions}
        for key, partners in PAIRED_KEYS.items():
            if key in keys and not keys & {p.lower() for p in partners}:
                yield statement_finding(
                    MISSING_PAIRED_KEY,
                    policy,
                    statement,
                    f"{key} without {' or '.join(partners)}: any VPC may use the same private addresses",
                )
