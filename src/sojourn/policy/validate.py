"""Checks that need the action catalogue: unknown services (in actions and in resource ARNs) and actions,
retired services, patterns that match nothing, unknown condition keys and operators that do not fit the
key's type.

An ARN-typed key compared with StringEquals is accepted (AWS's own examples do it, and Access Analyzer
does not report it); StringLike on an ARN key is reported, as Access Analyzer does, with ArnLike
suggested. In AWS managed policies an action the catalogue does not know is a warning: AWS published
the policy, so the action is newer than the catalogue or grants nothing."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Protocol

from sojourn.catalog.retired import retired_service
from sojourn.policy.arn_fields import check_requested_regions, check_resource_fields
from sojourn.policy.model import Located, Policy, PolicyIssue, PolicyKind, Severity
from sojourn.policy.operators import operator_family
from sojourn.policy.rcp_rules import check_rcp

Report = Callable[..., None]
LIKE_OPERATORS = frozenset({"StringLike", "StringNotLike"})
TAG_KEYS_WITHOUT_KEY = frozenset({"aws:resourcetag", "aws:requesttag", "aws:principaltag"})


class ActionCatalogView(Protocol):
    """What validation and expansion need from the action catalogue (sojourn.catalog implements it)."""

    def knows_service(self, prefix: str) -> bool: ...

    def knows_action(self, action: str) -> bool: ...

    def knows_arn_service(self, service: str) -> bool: ...

    def suggest_action(self, action: str) -> str | None: ...

    def expand(self, pattern: str) -> frozenset[str]: ...

    def matches_any(self, pattern: str) -> bool: ...

    def access_level(self, action: str) -> str | None: ...

    def condition_key_type(self, key: str) -> str | None: ...

    def arn_field_shapes(self, service: str) -> tuple[frozenset[str], frozenset[str]] | None: ...


COMPATIBLE = {
    "String": {"String", "ArrayOfString", "ARN", "ArrayOfARN"},
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
    unknown_action = Severity.WARNING if policy.kind is PolicyKind.AWS_MANAGED else Severity.ERROR

    def report(
        place: Located, code: str, message: str, severity: Severity, aa_code: str | None = None
    ) -> None:
        issues.append(
            PolicyIssue(policy.source, place.line, place.col, place.path, code, severity, message, aa_code)
        )

    def field_report(
        place: Located, code: str, message: str, severity: Severity, aa_code: str | None = None
    ) -> None:
        if unknown_action is Severity.WARNING and severity is Severity.ERROR:
            severity, message = Severity.WARNING, f"{message} (AWS published this policy)"
        report(place, code, message, severity, aa_code)

    for statement in policy.statements:
        patterns = statement.actions if statement.actions is not None else statement.not_actions or ()
        for pattern, place in zip(patterns, statement.action_places, strict=False):
            _check_action(catalog, pattern, place, report, unknown_action)
        resources = statement.resources if statement.resources is not None else statement.not_resources or ()
        for resource, place in zip(resources, statement.resource_places, strict=False):
            service = arn_service(resource)
            if service is not None and not catalog.knows_arn_service(service):
                _unknown_resource_service(service, resource, place, report)
            else:
                check_resource_fields(resource, place, catalog, field_report)
        check_requested_regions(statement.conditions, field_report)
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
                elif condition.key.lower() in TAG_KEYS_WITHOUT_KEY:
                    report(
                        condition.where,
                        "unknown-condition-key",
                        f"{condition.key!r} needs the tag's key after a slash, e.g. {condition.key}/team",
                        Severity.WARNING,
                        "MISSING_TAG_KEY_IN_CONDITION",
                    )
                else:
                    report(
                        condition.where,
                        "unknown-condition-key",
                        f"{condition.key!r} is not a global condition key",
                        Severity.WARNING,
                        "INVALID_GLOBAL_CONDITION_KEY",
                    )
                continue
            if family in COMPATIBLE and key_type not in COMPATIBLE[family]:
                report(
                    condition.where,
                    "operator-type-mismatch",
                    f"{condition.operator} compares {family} values but {condition.key} is {key_type}",
                    Severity.WARNING,
                )
            elif condition.base in LIKE_OPERATORS and key_type.removeprefix("ArrayOf") == "ARN":
                report(
                    condition.where,
                    "operator-type-mismatch",
                    f"{condition.operator} on the ARN key {condition.key}; use "
                    f"{condition.base.replace('String', 'Arn')}, which matches ARNs part by part",
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
    if policy.kind is PolicyKind.RCP:
        check_rcp(policy, report)
    return tuple(issues)


def _identity_provider_key(key: str) -> bool:
    """Keys of web identity and OIDC providers are prefixed by the provider's host (and path), which no
    catalogue lists: token.actions.githubusercontent.com:sub, accounts.google.com:aud."""
    prefix, colon, _ = key.partition(":")
    host = prefix.split("/", 1)[0].lower()
    return bool(colon) and "." in host and not host.startswith("aws")


def _retired(prefix: str, place: Located, report: Report, where: str) -> bool:
    """Report a retired service as a warning; False when the prefix is not a retired one."""
    name = retired_service(prefix)
    if name is None:
        return False
    report(
        place,
        "retired-service",
        f"{prefix!r} in {where} is {name}, which AWS has retired: the entry is accepted but grants "
        "nothing; remove it when you next edit the policy",
        Severity.WARNING,
    )
    return True


@lru_cache(maxsize=16_384)
def arn_service(resource: str) -> str | None:
    """The service part of a resource ARN when it names one service (no wildcard or variable)."""
    parts = resource.split(":", 3)
    if len(parts) < 4 or parts[0] != "arn":
        return None
    service = parts[2]
    if not service or "*" in service or "?" in service or "$" in service:
        return None
    return service


def _unknown_resource_service(service: str, resource: str, place: Located, report: Report) -> None:
    if not _retired(service, place, report, resource):
        report(
            place,
            "unknown-resource-service",
            f"unknown service {service!r} in the ARN {resource!r}",
            Severity.ERROR,
        )


def _check_action(
    catalog: ActionCatalogView, pattern: str, place: Located, report: Report, unknown: Severity
) -> None:
    if pattern == "*" or ":" not in pattern or catalog.knows_action(pattern):
        return
    prefix, name = pattern.split(":", 1)
    if "*" in prefix or "?" in prefix:
        return
    if not catalog.knows_service(prefix):
        if not _retired(prefix, place, report, pattern):
            report(
                place, "unknown-service", f"unknown service prefix {prefix!r} in {pattern!r}", Severity.ERROR
            )
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
        report(place, "unknown-action", f"unknown action {pattern!r}{hint}", unknown)
