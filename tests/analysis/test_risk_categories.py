"""Risk categories come from the catalogue's access levels and action names, on unconstrained grants only."""

from __future__ import annotations

import json

import pytest

from sojourn.analysis.risk_categories import risk_categories
from sojourn.catalog import ActionCatalog, load_catalog
from sojourn.policy import PolicyKind, parse_policy


@pytest.fixture(scope="module")
def catalog() -> ActionCatalog:
    return load_catalog()


def categories(catalog: ActionCatalog, *statements: dict) -> dict[str, tuple[str, ...]]:
    text = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    policy = parse_policy(text, kind=PolicyKind.IDENTITY).policy
    assert policy is not None
    return risk_categories(policy, catalog)


def test_s3_star_spans_exposure_modification_and_exfiltration(catalog: ActionCatalog) -> None:
    found = categories(catalog, {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    assert "s3:PutBucketPolicy" in found["resource-exposure"]
    assert "s3:PutObject" in found["infrastructure-modification"]
    assert "s3:GetObject" in found["data-exfiltration"]
    assert "s3:ListBucket" not in found["data-exfiltration"]


def test_secrets_and_keys_are_credentials_exposure(catalog: ActionCatalog) -> None:
    found = categories(
        catalog,
        {
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue", "iam:CreateAccessKey"],
            "Resource": "*",
        },
    )
    assert set(found["credentials-exposure"]) == {"secretsmanager:GetSecretValue", "iam:CreateAccessKey"}


def test_constrained_grants_and_outright_denies_do_not_count(catalog: ActionCatalog) -> None:
    scoped = categories(
        catalog,
        {
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "arn:aws:secretsmanager:*:*:secret:app-*",
        },
    )
    assert scoped["credentials-exposure"] == ()
    denied = categories(
        catalog,
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"},
    )
    assert "s3:GetObject" not in denied["data-exfiltration"]
    assert "s3:PutObject" in denied["infrastructure-modification"]
