"""Checks that need the action catalogue: unknown services and actions, patterns that match nothing,
unknown condition keys and operators that do not fit the key's type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sojourn.policy.model import Located, Policy, PolicyIssue, Severity
from sojourn.policy.operators import operator_family

Report = Callable[[Located, str, str, Severity], None]


class ActionCatalogView(Protocol):
    """What validation and expansion need from the action catalogue (sojourn.catalog implements it)."""

    def knows_service(self, prefix: str) -> bool: ...

    def knows_action(self, action: str) -> bool: ...

    def suggest_action(self, action: str) -> str | None: ...

    def expand(self, pattern: str) -> frozenset[str]: ...

    def matches_any(self, pattern: str) -> bool: ...

    def access_level(self, action: str) -> str | None: ...

    def condition_key_type(self, key: str) -> str | None: ...


COMPATIBLE = {
    "String": {"String", "ArrayOfString"},
    "ARN": {"ARN", "ArrayOfARN", "String", "ArrayOfString"},
    "Numeric": {"Numeric", "ArrayOfNumeric"},
    "Date": {"Date", "ArrayOfDate"},
    "Bool": {"Bool", "ArrayOfBool", "Boolean"},
    "IPAddress": {"IPAddress", "ArrayOfIPAddress"},
    "Binary": {"Binary", "ArrayOfBinary"},
}


def validate_policy(policy: Policy, catalog: ActionCatalogView | None) -> tuple[PolicyIssue, ...]:
    """Catalogue checks on a parsed policy; with no catalogue there is nothing to add."""
    if catalog is None:
        return ()
    issues: list[PolicyIssue] = []

    def report(place: Located, code: str, message: str, severity: Severity) -> None:
        issues.append(PolicyIssue(policy.source, place.line, place.col, place.path, code, severity, message))

    for statement in policy.statements:
        patterns = statement.actions if statement.actions is not None else statement.not_actions or ()
        for pattern, place in zip(patterns, statement.action_places, strict=False):
            _check_action(catalog, pattern, place, report)
        for condition in statement.conditions:
            family = operator_family(condition.base)
            key_type = catalog.condition_key_type(condition.key)
            if key_type is None and _identity_provider_key(condition.key):
                continue
            if key_type is None:
                if not condition.key.lower().startswith("aws:"):
                    report(
                        condition.where,
                        "unknown-condition-key",
                        f"condition key {condition.key!r} is not known for any service",
                        Severity.WARNING,
                    )
                else:
                    report(
                        condition.where,
                        "unknown-condition-key",
                        f"{condition.key!r} is not a global condition key",
                        Severity.WARNING,
                    )
                continue
            if family in COMPATIBLE and key_type not in COMPATIBLE[family]:
                report(
                    condition.where,
                    "operator-type-mismatch",
                    f"{condition.operator} compares {family} values but {condition.key} is {key_type}",
                    Severity.WARNING,
                )
            if key_type.startswith("ArrayOf") and condition.qualifier is None and family != "Null":
                report(
                    condition.where,
                    "multivalued-key-without-qualifier",
                    f"{condition.key} is multivalued; qualify {condition.base} with ForAnyValue/ForAllValues",
                    Severity.WARNING,
                )
            if not key_type.startswith("ArrayOf") and condition.qualifier is not None:
                report(
                    condition.where,
                    "qualifier-on-single-valued-key",
                    f"{condition.qualifier}: on the single-valued key {condition.key} is always true or "
                    "misleading; drop the qualifier",
                    Severity.WARNING,
                )
    return tuple(issues)


def _identity_provider_key(key: str) -> bool:
    """Keys of web identity and OIDC providers are prefixed by the provider's host (and path), which no
    catalogue lists: token.actions.githubusercontent.com:sub, accounts.google.com:aud."""
    prefix, colon, _ = key.partition(":")
    host = prefix.split("/", 1)[0].lower()
    return bool(colon) and "." in host and not host.startswith("aws")


def _check_action(catalog: ActionCatalogView, pattern: str, place: Located, report: Report) -> None:
    if pattern == "*" or ":" not in pattern or catalog.knows_action(pattern):
        return
    prefix, name = pattern.split(":", 1)
    if "*" in prefix or "?" in prefix:
        return
    if not catalog.knows_service(prefix):
        report(place, "unknown-service", f"unknown service prefix {prefix!r} in {pattern!r}", Severity.ERROR)
        return
    if "*" in name or "?" in name:
        if not catalog.matches_any(pattern):
            report(
                place, "pattern-matches-nothing", f"{pattern!r} matches no {prefix} action", Severity.WARNING
            )
        return
    if not catalog.knows_action(pattern):
        suggestion = catalog.suggest_action(pattern)
        hint = f" (did you mean {suggestion}?)" if suggestion else ""
        report(place, "unknown-action", f"unknown action {pattern!r}{hint}", Severity.ERROR)
