"""Statements that grant or deny exactly what another statement of the policy does."""

from __future__ import annotations

from collections.abc import Iterator

from sojourn.analysis.checks.common import statement_finding
from sojourn.analysis.finding import AnalysisContext, CheckMeta, Finding, Risk
from sojourn.policy.model import Policy, Principal, Statement

DUPLICATE_STATEMENT = CheckMeta(
    id="duplicate-statement",
    severity=Risk.INFO,
    title="Two statements with the same effect, principals, actions, resources and conditions",
    remediation="Remove the repeated statement; a change made to one copy later would not reach the other.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}, {"Sid": "Again", '
    '"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}]}',
    aa_code="REDUNDANT_STATEMENT",
)

_Shape = tuple[object, ...]


def _set(items: tuple[str, ...] | None, fold: bool) -> frozenset[str] | None:
    if items is None:
        return None
    return frozenset(i.lower() for i in items) if fold else frozenset(items)


def _principals(entries: tuple[Principal, ...] | None) -> frozenset[tuple[str, str]] | None:
    return None if entries is None else frozenset((p.kind, p.value) for p in entries)


def _shape(statement: Statement) -> _Shape:
    """What the statement means, without its Sid or place: actions fold case, resources do not."""
    conditions = frozenset(
        (c.base, c.qualifier, c.if_exists, c.key.lower(), frozenset(c.values)) for c in statement.conditions
    )
    return (
        statement.effect,
        _set(statement.actions, True),
        _set(statement.not_actions, True),
        _set(statement.resources, False),
        _set(statement.not_resources, False),
        _principals(statement.principals),
        _principals(statement.not_principals),
        conditions,
    )


def _size(statement: Statement) -> _Shape:
    """A cheap key that two duplicates share: only statements that share it are compared in full."""
    return (
        statement.effect,
        *(len(items) if items is not None else -1 for items in _lists(statement)),
        len(statement.conditions),
    )


def _lists(statement: Statement) -> tuple[tuple[object, ...] | None, ...]:
    return (
        statement.actions,
        statement.not_actions,
        statement.resources,
        statement.not_resources,
        statement.principals,
        statement.not_principals,
    )


def duplicate_statements(policy: Policy, context: AnalysisContext) -> Iterator[Finding]:
    by_size: dict[_Shape, list[Statement]] = {}
    for statement in policy.statements:
        by_size.setdefault(_size(statement), []).append(statement)
    repeats: dict[int, list[int]] = {}
    for alike in by_size.values():
        if len(alike) < 2:
            continue
        first: dict[_Shape, Statement] = {}
        for statement in alike:
            shape = _shape(statement)
            if shape in first:
                repeats.setdefault(first[shape].index, []).append(statement.index)
            else:
                first[shape] = statement
    for statement in policy.statements:
        if statement.index in repeats:
            again = ", ".join(f"Statement[{i}]" for i in repeats[statement.index])
            yield statement_finding(
                DUPLICATE_STATEMENT, policy, statement, f"{again} repeats this statement exactly"
            )
