"""Meta-test of the check registry, and each check on its own (S3.1, S3.2, S5.2 at policy level)."""

from __future__ import annotations

import json

import pytest

from sojourn.analysis.finding import AnalysisContext, Check
from sojourn.analysis.registry import CHECKS, analyse
from sojourn.catalog import load_catalog
from sojourn.policy import PolicyKind, parse_policy

ORG = AnalysisContext(frozenset({"111122223333", "444455556666"}), "o-example", load_catalog())


def kind_of(check: Check) -> PolicyKind:
    if "trust" in check.kinds:
        return PolicyKind.TRUST
    return PolicyKind.IDENTITY if "identity" in check.kinds else PolicyKind.RESOURCE


def test_ids_are_unique_and_metadata_complete() -> None:
    ids = [c.meta.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    for check in CHECKS:
        assert check.meta.title and check.meta.remediation and check.kinds
        assert check.meta.id.replace("-", "").isalnum()


@pytest.mark.parametrize("check", CHECKS, ids=[c.meta.id for c in CHECKS])
def test_every_example_is_valid_and_flagged_by_its_check(check: Check) -> None:
    result = parse_policy(check.meta.example, source="example.json", kind=kind_of(check))
    assert result.ok, result.issues
    assert result.policy is not None
    findings = analyse(result.policy, ORG, [check])
    assert [f.check.id for f in findings] == [check.meta.id]
    assert findings[0].line == 1 and findings[0].path == "Statement[0]"


def trust(statement: dict) -> list[str]:
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    result = parse_policy(document, kind=PolicyKind.TRUST)
    assert result.policy is not None
    return [f.check.id for f in analyse(result.policy, ORG)]


def test_s3_1_wildcard_trust_is_critical_unless_narrowed() -> None:
    base = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    assert trust(base) == ["trust-wildcard-principal"]
    assert trust(base | {"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-example"}}}) == []


def test_s3_2_external_account_needs_external_id_and_people_need_mfa() -> None:
    external = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
        "Action": "sts:AssumeRole",
    }
    assert trust(external) == ["trust-external-account-without-external-id"]
    assert trust(external | {"Condition": {"StringEquals": {"sts:ExternalId": "a1b2"}}}) == []
    internal = {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "sts:AssumeRole"}
    assert trust(internal) == ["trust-human-without-mfa"]
    assert trust(internal | {"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}) == []
    named_role = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::999988887777:role/deployer"},
        "Action": "sts:AssumeRole",
    }
    assert trust(named_role) == []


def test_passrole_star_flagged_and_cleared_by_naming_roles_or_service() -> None:
    def ids(statement: dict) -> list[str]:
        result = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
        assert result.policy is not None
        return [f.check.id for f in analyse(result.policy, ORG)]

    assert ids({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}) == ["passrole-on-all-roles"]
    assert (
        ids({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app"})
        == []
    )
    assert (
        ids(
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
            }
        )
        == []
    )
    assert ids({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}) == [
        "allow-with-not-action",
        "passrole-on-all-roles",
    ]
