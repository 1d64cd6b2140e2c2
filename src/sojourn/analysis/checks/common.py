"""Small helpers the check modules share: where a finding points, how a condition treats a missing key."""

from __future__ import annotations

from sojourn.analysis.finding import CheckMeta, Finding
from sojourn.policy.model import Condition, Policy, Statement
from sojourn.policy.operators import evaluate_operator


def statement_finding(meta: CheckMeta, policy: Policy, statement: Statement, detail: str) -> Finding:
    """A finding placed on the statement (the condition or item it is about is named in the detail)."""
    where = statement.where
    return Finding(meta, policy.source, where.line, where.col, where.path, detail)


def matches_when_absent(condition: Condition) -> bool:
    """Whether the condition holds for a request that lacks its key (IfExists, negation, ForAllValues)."""
    return evaluate_operator(condition.base, condition.qualifier, condition.if_exists, None, condition.values)


def has_wildcard(text: str) -> bool:
    """Whether an action or resource entry is a pattern rather than one name."""
    return "*" in text or "?" in text


WILDCARD_CHARS = frozenset("*?")


def same_service_possible(left: str, right: str, separator: str = ":", index: int = 0) -> bool:
    """Cheap pre-check before wildcard matching: the service parts are equal or one has a wildcard."""
    a = left.split(separator)
    b = right.split(separator)
    if len(a) <= index or len(b) <= index:
        return True
    x, y = a[index].lower(), b[index].lower()
    return x == y or bool(WILDCARD_CHARS & set(x)) or bool(WILDCARD_CHARS & set(y))
