"""Conditions whose outcome does not depend on the value they test (always true or never true).

Only clear cases are reported, each exact under AWS's evaluation rules:
- Null with both "true" and "false": holds for every request.
- Null "true" on a key that another condition of the statement needs present (a positive operator
  without IfExists): the two never hold together, so the statement never applies.
- Bool with both "true" and "false": holds whenever the key is present; Bool with neither: never holds
  when the key is present.
- An operator with an empty list of values: a positive operator never matches a present key, a negated
  one (StringNotEquals, ...) always does.
- StringLike / ArnLike with the value "*": any present value matches, so only the key's presence is
  tested (StringNotLike / ArnNotLike "*": only its absence).
"""

from __future__ import annotations

from collections.abc import Iterator

from sojourn.analysis.checks.common import matches_when_absent, statement_finding
from sojourn.analysis.finding import AnalysisContext, CheckMeta, Finding, Risk
from sojourn.policy.model import Condition, Policy, Statement
from sojourn.policy.operators import NEGATED

CONSTANT_CONDITION = CheckMeta(
    id="condition-always-true-or-false",
    severity=Risk.INFO,
    title="Condition that holds always, or never, whatever the value it tests",
    remediation="Write the condition that was meant: a real value, Null for presence or absence, or "
    "remove it.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole", '
    '"Condition": {"StringLike": {"aws:PrincipalTag/team": "*"}}}]}',
)
LIKE = frozenset({"StringLike", "ArnLike", "StringNotLike", "ArnNotLike"})


def _booleans(condition: Condition) -> set[str]:
    return {value.lower() for value in condition.values} & {"true", "false"}


def _null_or_bool(condition: Condition) -> str | None:
    name = f"{condition.operator} on {condition.key}"
    booleans = _booleans(condition)
    if condition.base == "Null" and len(booleans) == 2:
        return f"{name} with both true and false holds for every request"
    if condition.base != "Bool" or not condition.values:
        return None
    if len(booleans) == 2:
        return f"{name} with both true and false holds whenever the key is present"
    if not booleans:
        return f"{name} never holds for a present key: Bool compares with true or false"
    return None


def _empty(condition: Condition) -> str | None:
    if condition.values:
        return None
    name = f"{condition.operator} on {condition.key}"
    if condition.base == "Null":
        return f"{name} has no values and never holds"
    outcome = "always holds" if condition.base in NEGATED else "never holds"
    return f"{name} has no values, so it {outcome} for a present key"


def _match_anything(condition: Condition) -> str | None:
    if condition.base not in LIKE or "*" not in condition.values:
        return None
    name = f'{condition.operator} on {condition.key} with "*"'
    if condition.base in NEGATED:
        return f'{name} holds only when the key is missing; Null "true" says that clearly'
    return f'{name} matches any present value; Null "false" tests presence clearly'


def _contradiction(statement: Statement) -> Iterator[str]:
    absent = {c.key.lower() for c in statement.conditions if c.base == "Null" and _booleans(c) == {"true"}}
    for condition in statement.conditions:
        needs_key = condition.base != "Null" and not matches_when_absent(condition)
        if needs_key and condition.key.lower() in absent:
            yield (
                f'Null "true" on {condition.key} and {condition.operator}, which needs the key present, '
                "never hold together: the statement never applies"
            )


def constant_conditions(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    for statement in policy.statements:
        for condition in statement.conditions:
            for rule in (_null_or_bool, _empty, _match_anything):
                problem = rule(condition)
                if problem:
                    yield statement_finding(CONSTANT_CONDITION, policy, statement, problem)
        for problem in _contradiction(statement):
            yield statement_finding(CONSTANT_CONDITION, policy, statement, problem)
