"""Condition operators: parsing their names and evaluating them as AWS does, single- and multi-valued."""

from __future__ import annotations

import base64
import ipaddress
import operator
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sojourn.policy.wildcards import arn_matches, glob_matches

BASE_OPERATORS = (
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
)
NEGATED = frozenset(
    {
        "StringNotEquals",
        "StringNotEqualsIgnoreCase",
        "StringNotLike",
        "NumericNotEquals",
        "DateNotEquals",
        "NotIpAddress",
        "ArnNotEquals",
        "ArnNotLike",
    }
)
POSITIVE_OF = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
OPERATOR_TYPE = {
    "String": "String",
    "Numeric": "Numeric",
    "Date": "Date",
    "Bool": "Bool",
    "Binary": "Binary",
    "IpAddress": "IPAddress",
    "NotIpAddress": "IPAddress",
    "Arn": "ARN",
    "Null": "Null",
}
VARIABLE_OPERATORS = ("String", "Arn")


@lru_cache(maxsize=512)
def split_operator(operator: str) -> tuple[str | None, str, bool] | None:
    """ "ForAnyValue:StringLikeIfExists" -> ("ForAnyValue", "StringLike", True); None if unknown."""
    qualifier = None
    name = operator
    if ":" in operator:
        qualifier, name = operator.split(":", 1)
        if qualifier not in ("ForAnyValue", "ForAllValues"):
            return None
    if_exists = name.endswith("IfExists") and name != "Null"
    base = name.removesuffix("IfExists") if if_exists else name
    if base not in BASE_OPERATORS or (base == "Null" and if_exists):
        return None
    return qualifier, base, if_exists


def operator_family(base: str) -> str:
    """The value type an operator compares: String, Numeric, Date, Bool, Binary, IPAddress, ARN or Null."""
    for prefix, family in OPERATOR_TYPE.items():
        if base.startswith(prefix):
            return family
    return "String"


def as_number(text: str) -> float | None:
    """A Numeric operand (integer or decimal), or None."""
    try:
        return float(text)
    except ValueError:
        return None


def as_date(text: str) -> datetime | None:
    """A Date operand: ISO 8601 (zone defaults to UTC) or epoch seconds; None if neither."""
    try:
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            return datetime.fromtimestamp(float(text), UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _ip(request: str, policy: str) -> bool:
    try:
        return ipaddress.ip_address(request.strip()) in ipaddress.ip_network(policy.strip(), strict=False)
    except ValueError:
        return False


COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "LessThanEquals": operator.le,
    "GreaterThan": operator.gt,
    "GreaterThanEquals": operator.ge,
}


def _compare(kind: str, convert: Callable[[str], float | datetime | None]) -> Callable[[str, str], bool]:
    compare = COMPARISONS[kind]

    def matcher(request: str, policy: str) -> bool:
        left, right = convert(request), convert(policy)
        return left is not None and right is not None and compare(left, right)

    return matcher


def _binary(request: str, policy: str) -> bool:
    try:
        return base64.b64decode(request, validate=True) == base64.b64decode(policy, validate=True)
    except ValueError:
        return request == policy


MATCHERS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda r, p: r == p,
    "StringEqualsIgnoreCase": lambda r, p: r.lower() == p.lower(),
    "StringLike": lambda r, p: glob_matches(p, r),
    "Bool": lambda r, p: r.lower() == p.lower(),
    "BinaryEquals": _binary,
    "IpAddress": _ip,
    "ArnEquals": arn_matches,
    "ArnLike": arn_matches,
    **{
        f"Numeric{k}": _compare(k, as_number)
        for k in ("Equals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")
    },
    **{
        f"Date{k}": _compare(k, as_date)
        for k in ("Equals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")
    },
}


def evaluate_operator(
    base: str,
    qualifier: str | None,
    if_exists: bool,
    request: tuple[str, ...] | None,
    policy_values: tuple[str, ...],
) -> bool:
    """One condition key: AWS's rules for missing keys, negation, IfExists and set qualifiers."""
    if base == "Null":
        absent = request is None or len(request) == 0
        return any((value.lower() == "true") == absent for value in policy_values)
    negated = base in NEGATED
    positive = MATCHERS[POSITIVE_OF.get(base, base)]
    if request is None or (qualifier is not None and len(request) == 0):
        if if_exists or qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return negated

    def one(value: str) -> bool:
        hit = any(positive(value, policy) for policy in policy_values)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(one(value) for value in request)
    if qualifier == "ForAnyValue" or not negated:
        return any(one(value) for value in request)
    return all(one(value) for value in request)
