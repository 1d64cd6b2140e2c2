"""The region and account fields of resource ARNs, and the regions named in aws:RequestedRegion.

A field is judged only when it is written out (no wildcard, no variable), and only against what every ARN
format of the service agrees on: IAM's ARNs never hold a region, EC2's instance ARNs always do, while S3
mixes buckets (no region, no account) with access points (both), so S3's fields are left alone. A region
is judged by its shape, not by a list, so that a region AWS opens next year is not an error today.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Protocol

from sojourn.policy.model import Condition, Located, Severity

REGION_SHAPE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
ACCOUNT_SHAPE = re.compile(r"^\d{12}$")
REGION_FIELD = "${Region}"
ACCOUNT_FIELDS = frozenset({"${Account}", "${AccountId}"})
AWS_OWNED = "aws"
"""The account field of resources AWS owns (arn:aws:iam::aws:policy/..., SageMaker's public hub)."""
REQUESTED_REGION = "aws:requestedregion"

Report = Callable[..., None]


class ArnFormatView(Protocol):
    def arn_field_shapes(self, service: str) -> tuple[frozenset[str], frozenset[str]] | None: ...


def check_resource_fields(resource: str, place: Located, catalog: ArnFormatView, report: Report) -> None:
    """Report a region or account field that the service's ARN formats rule out or require."""
    if not resource.startswith("arn:"):
        return
    parts = arn_fields(resource)
    if len(parts) < 6:
        return
    service, region, account = parts[2], parts[3], parts[4]
    shapes = catalog.arn_field_shapes(service) if _literal(service) else None
    if shapes is None:
        return
    regions, accounts = shapes
    if _literal(region):
        _check_region(resource, region, regions, place, report)
    if _literal(account):
        _check_account(resource, account, accounts, place, report)


def _check_region(
    resource: str, region: str, formats: frozenset[str], place: Located, report: Report
) -> None:
    if region and formats == {""}:
        report(
            place,
            "arn-region-not-allowed",
            f"{resource!r} names the region {region!r}, but this service's ARNs have an empty region field; "
            f"write it as {_without_field(resource, 3)!r}",
            Severity.ERROR,
            "ARN_REGION_NOT_ALLOWED",
        )
    elif not region and formats == {REGION_FIELD}:
        report(
            place,
            "arn-region-missing",
            f"{resource!r} has an empty region field, which no ARN of this service has, so it matches "
            "nothing; name the region or write * for any",
            Severity.ERROR,
            "MISSING_ARN_REGION",
        )
    elif region and not REGION_SHAPE.match(region) and region not in formats:
        report(
            place,
            "bad-arn-region",
            f"{region!r} in {resource!r} is not a region (regions look like us-east-1 or eu-central-2)",
            Severity.ERROR,
            "INVALID_ARN_REGION",
        )


def _check_account(
    resource: str, account: str, formats: frozenset[str], place: Located, report: Report
) -> None:
    if account and formats == {""}:
        report(
            place,
            "arn-account-not-allowed",
            f"{resource!r} names the account {account!r}, but this service's ARNs have an empty account "
            f"field; write it as {_without_field(resource, 4)!r}",
            Severity.ERROR,
            "ARN_ACCOUNT_NOT_ALLOWED",
        )
    elif not account and formats and formats <= ACCOUNT_FIELDS:
        report(
            place,
            "arn-account-missing",
            f"{resource!r} has an empty account field, which the service's ARN formats do not have (only "
            "resources AWS itself publishes, such as public SSM documents, do); name the account or write *",
            Severity.WARNING,
            "MISSING_ARN_ACCOUNT",
        )
    elif account and not ACCOUNT_SHAPE.match(account) and account not in formats | {AWS_OWNED}:
        report(
            place,
            "bad-arn-account",
            f"{account!r} in {resource!r} is not an account ID (twelve digits)",
            Severity.ERROR,
            "INVALID_ARN_ACCOUNT",
        )


def check_requested_regions(conditions: Iterable[Condition], report: Report) -> None:
    """Report a written-out value of aws:RequestedRegion that is not shaped like a region."""
    for condition in conditions:
        if condition.key.lower() != REQUESTED_REGION or condition.base.startswith("Null"):
            continue
        for value in condition.values:
            if _literal(value) and not REGION_SHAPE.match(value):
                report(
                    condition.where,
                    "bad-region",
                    f"{value!r} in {condition.key} is not a region (regions look like us-east-1), so the "
                    "condition never matches it",
                    Severity.ERROR,
                    "INVALID_REGION",
                )


def _literal(field: str) -> bool:
    return not any(mark in field for mark in ("*", "?", "${"))


def _without_field(resource: str, index: int) -> str:
    parts = arn_fields(resource)
    parts[index] = ""
    return ":".join(parts)


def arn_fields(resource: str) -> list[str]:
    """The first six colon-separated fields of an ARN, colons inside ${...} variables kept."""
    if "${" not in resource:
        return resource.split(":", 5)
    fields: list[str] = []
    start = depth = 0
    for index, char in enumerate(resource):
        if char == "{" and resource[index - 1 : index] == "$":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif char == ":" and not depth and len(fields) < 5:
            fields.append(resource[start:index])
            start = index + 1
    fields.append(resource[start:])
    return fields
