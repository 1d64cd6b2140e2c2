"""Request context values checked against the type of their key, so a typo is an error, not a silent
mismatch: an IP address where a key holds one, a number, a date, true or false."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence

from sojourn.policy.model import Policy
from sojourn.policy.operators import as_date, as_number, operator_family

EXPECTED = {
    "IPAddress": "an IP address",
    "Numeric": "a number",
    "Date": "a date (ISO 8601 or epoch seconds)",
    "Bool": "true or false",
}


def context_problems(
    context: Mapping[str, Sequence[str]], policies: Iterable[Policy], key_types: Mapping[str, str]
) -> list[str]:
    """What is wrong with each context value, given the key's type (from `key_types`, lower-case names)
    or, failing that, the operators the policies compare the key with."""
    compared: dict[str, tuple[str, str]] = {}
    for policy in policies:
        for statement in policy.statements:
            for condition in statement.conditions:
                family = operator_family(condition.base)
                if family in EXPECTED:
                    why = f"{policy.source} compares it with {condition.operator}"
                    compared.setdefault(condition.key.lower(), (family, why))
    problems = []
    for key, values in context.items():
        known = key_types.get(key.lower(), "")
        if known in EXPECTED:
            family, why = known, f"a global condition key of type {known}"
        else:
            family, why = compared.get(key.lower(), ("", ""))
        for value in values:
            if family and not _fits(family, value):
                problems.append(f"{key}={value} is not {EXPECTED[family]} ({why})")
    return problems


def _fits(family: str, value: str) -> bool:
    if family == "IPAddress":
        try:
            ipaddress.ip_address(value.strip())
        except ValueError:
            return False
        return True
    if family == "Numeric":
        return as_number(value) is not None
    if family == "Date":
        return as_date(value) is not None
    return value.strip().lower() in ("true", "false")
