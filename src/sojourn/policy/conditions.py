"""The Condition element read into Conditions, with each value checked against its operator's type."""

from __future__ import annotations

import base64
import binascii
import difflib
import ipaddress
import re
from typing import Any

from sojourn.policy.access_analyzer import VALUE_TYPE
from sojourn.policy.issue_log import IssueLog
from sojourn.policy.located_json import ARRAYS, kind_of, members
from sojourn.policy.model import Condition, Severity
from sojourn.policy.operators import BASE_OPERATORS, as_date, operator_family, split_operator
from sojourn.policy.variables import variable_problem

CONDITION_KEY = re.compile(r"[A-Za-z0-9._/-]+:[^\s]+\Z")
"""prefix:name; an identity provider's prefix is its host and path (token.actions.githubusercontent.com,
oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE)."""
NUMBER = re.compile(r"-?\d+(\.\d+)?\Z")
VARIABLE_FAMILIES = frozenset({"String", "ARN"})


def read_conditions(
    statement: dict[Any, object], path: str, log: IssueLog, variables: bool
) -> tuple[Condition, ...]:
    """Every operator -> key -> values triple of a statement; variables: ${...} is expanded (Version 2012)."""
    if "Condition" not in statement:
        return ()
    element = statement["Condition"]
    path = f"{path}.Condition"
    at = log.positions
    if not isinstance(element, dict):
        log.add(
            at.member_at(statement, "Condition"),
            path,
            "bad-condition",
            "Condition must be an object of operator -> {key: value}",
        )
        return ()
    conditions: list[Condition] = []
    for operator, block in members(element).items():
        op_path = f"{path}.{operator}"
        parts = split_operator(operator)
        if parts is None:
            log.add(
                at.key_at(element, operator),
                op_path,
                "unknown-operator",
                f"unknown condition operator {operator!r}" + _operator_hint(operator),
                aa_code="NULL_WITH_IF_EXISTS" if operator.endswith("NullIfExists") else None,
            )
            continue
        qualifier, base, if_exists = parts
        family = operator_family(base)
        if not isinstance(block, dict):
            log.add(
                at.member_at(element, operator),
                op_path,
                "bad-condition",
                "an operator takes an object of key -> values",
            )
            continue
        if not block:
            log.add(
                at.member_at(element, operator),
                op_path,
                "empty-condition",
                f"{operator} names no key",
                Severity.WARNING,
            )
        for key, values in members(block).items():
            key_path = f"{op_path}.{key}"
            key_offset = at.key_at(block, key)
            if not CONDITION_KEY.match(key):
                log.add(
                    key_offset,
                    key_path,
                    "bad-condition-key",
                    f"condition key {key!r} must look like prefix:name, e.g. aws:SourceIp",
                )
            texts = _values(values, at.member_at(block, key), key_path, base, family, log, variables)
            conditions.append(
                Condition(operator, base, qualifier, if_exists, key, texts, log.place(key_offset, key_path))
            )
    return tuple(conditions)


def _values(
    value: object, offset: int, path: str, base: str, family: str, log: IssueLog, variables: bool
) -> tuple[str, ...]:
    if isinstance(value, ARRAYS):
        items, offsets = value, log.positions.items_at(value)
        if not items:
            log.add(offset, path, "empty-list", "an empty list of values never matches", Severity.WARNING)
    else:
        items, offsets = (value,), (offset,)
    texts: list[str] = []
    for item, item_offset in zip(items, offsets, strict=True):
        if isinstance(item, bool):
            text = "true" if item else "false"
        elif isinstance(item, str):
            text = item
        elif isinstance(item, int | float):
            text = str(item)
        else:
            log.add(
                item_offset,
                path,
                "bad-condition-value",
                f"a condition value must be a string, number or boolean, not {kind_of(item)}",
            )
            continue
        texts.append(text)
        if variables and "${" in text:
            problem = variable_problem(text)
            if problem:
                log.add(item_offset, path, "bad-variable", problem)
                continue
            if family in VARIABLE_FAMILIES:
                continue
            log.add(
                item_offset,
                path,
                "variable-not-allowed",
                f"policy variables work only with String and Arn operators, not {base}",
            )
            continue
        problem, severity = value_problem(family, text)
        if problem:
            log.add(item_offset, path, "bad-condition-value", problem, severity, VALUE_TYPE.get(family))
    return tuple(texts)


def value_problem(family: str, text: str) -> tuple[str | None, Severity]:
    """Why a value cannot be compared by an operator of this family (and how serious that is), or None."""
    if family == "Numeric" and not NUMBER.match(text.strip()):
        return f"{text!r} is not a number", Severity.ERROR
    if family == "Date" and as_date(text) is None:
        return (
            f"{text!r} is not a date (ISO 8601, e.g. 2026-01-31T00:00:00Z, or epoch seconds)",
            Severity.ERROR,
        )
    if family in ("Bool", "Null") and text.lower() not in ("true", "false"):
        return f"{text!r} must be true or false", Severity.ERROR
    if family == "IPAddress":
        try:
            ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            return f"{text!r} is not an IPv4 or IPv6 address or CIDR range", Severity.ERROR
    if family == "Binary":
        try:
            base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return f"{text!r} is not base64", Severity.ERROR
    if family == "ARN" and text != "*" and not text.startswith("arn:"):
        return f"{text!r} is not an ARN; Arn operators compare ARNs", Severity.WARNING
    return None, Severity.WARNING


def _operator_hint(operator: str) -> str:
    word = operator.split(":")[-1].removesuffix("IfExists")
    close = difflib.get_close_matches(word, BASE_OPERATORS, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""
