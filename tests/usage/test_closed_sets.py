"""Closed wildcards: a wildcard replaces actions only when the catalogue's actions under it are all wanted."""

from __future__ import annotations

from sojourn.catalog import ActionCatalog
from sojourn.usage.closed_sets import closed_wildcards


def test_a_whole_family_becomes_its_wildcard(catalog: ActionCatalog) -> None:
    family = sorted(catalog.expand("s3:GetObject*"))
    assert closed_wildcards([*family, "dynamodb:Query"], catalog) == ("dynamodb:Query", "s3:GetObject*")


def test_one_missing_member_keeps_the_names(catalog: ActionCatalog) -> None:
    family = sorted(catalog.expand("s3:GetObject*"))
    partial = [a for a in family if a != "s3:GetObjectAcl"]
    written = closed_wildcards(partial, catalog)
    assert "s3:GetObject*" not in written
    assert set().union(*(catalog.expand(a) for a in written)) == set(partial)


def test_a_whole_service_becomes_service_star(catalog: ActionCatalog) -> None:
    assert closed_wildcards(sorted(catalog.expand("dynamodb:*")), catalog) == ("dynamodb:*",)


def test_single_actions_stay_as_they_are(catalog: ActionCatalog) -> None:
    assert closed_wildcards(["s3:GetObject", "s3:ListBucket"], catalog) == ("s3:GetObject", "s3:ListBucket")
