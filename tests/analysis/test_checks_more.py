"""The principal, resource, condition-key, redundancy and constant-condition checks, and the access profile.

Each check gets a policy it flags and a near-identical one it does not flag.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sojourn.analysis.checks.resources import resource_fits
from sojourn.analysis.finding import AnalysisContext, Check
from sojourn.analysis.profile import access_level_profile
from sojourn.analysis.registry import CHECKS, analyse
from sojourn.catalog import ACCESS_LEVELS, ActionCatalog, load_catalog
from sojourn.policy import PolicyKind, parse_policy

NEW_CHECKS = (
    "resource-policy-wildcard-principal",
    "service-principal-without-source",
    "action-resource-mismatch",
    "condition-key-not-supported",
    "condition-operator-type-mismatch",
    "redundant-action",
    "condition-always-true-or-false",
)
BY_ID = {check.meta.id: check for check in CHECKS}
BUCKET_READER = {"AWS": "arn:aws:iam::111122223333:role/reader"}


@pytest.fixture(scope="module")
def catalog() -> ActionCatalog:
    return load_catalog()


@pytest.fixture(scope="module")
def context(catalog: ActionCatalog) -> AnalysisContext:
    return AnalysisContext(frozenset({"111122223333"}), "o-example", catalog)


def example_kind(check: Check) -> PolicyKind:
    if "trust" in check.kinds:
        return PolicyKind.TRUST
    return PolicyKind.IDENTITY if "identity" in check.kinds else PolicyKind.RESOURCE


def flagged(
    check_id: str, context: AnalysisContext, statement: dict[str, Any], kind: PolicyKind = PolicyKind.IDENTITY
) -> list[str]:
    """The details of the check's findings on a one-statement policy."""
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    result = parse_policy(document, kind=kind)
    assert result.policy is not None, result.issues
    return [f.detail for f in analyse(result.policy, context, [BY_ID[check_id]])]


def test_the_new_checks_are_registered_once() -> None:
    ids = [check.meta.id for check in CHECKS]
    for check_id in NEW_CHECKS:
        assert ids.count(check_id) == 1


@pytest.mark.parametrize("check_id", NEW_CHECKS)
def test_example_is_valid_and_flagged_once_with_the_catalogue(
    check_id: str, context: AnalysisContext
) -> None:
    check = BY_ID[check_id]
    result = parse_policy(check.meta.example, source="example.json", kind=example_kind(check))
    assert result.ok, result.issues
    assert result.policy is not None
    findings = analyse(result.policy, context, [check])
    assert [f.check.id for f in findings] == [check_id]
    assert findings[0].line == 1 and findings[0].path == "Statement[0]"


@pytest.mark.parametrize(
    "check_id",
    ["action-resource-mismatch", "condition-key-not-supported", "condition-operator-type-mismatch"],
)
def test_catalogue_checks_find_nothing_without_the_catalogue(check_id: str) -> None:
    check = BY_ID[check_id]
    policy = parse_policy(check.meta.example, kind=example_kind(check)).policy
    assert policy is not None
    assert analyse(policy, AnalysisContext(), [check]) == []


def test_resource_policy_wildcard_principal(context: AnalysisContext) -> None:
    public = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::reports/*",
    }
    check, kind = "resource-policy-wildcard-principal", PolicyKind.RESOURCE
    assert flagged(check, context, public, kind) == ["anyone, in any account or anonymous, is allowed"]
    assert flagged(check, context, public | {"Principal": {"AWS": "*"}}, kind)
    org = {"StringEquals": {"aws:PrincipalOrgID": "o-example"}}
    assert flagged(check, context, public | {"Condition": org}, kind) == []
    loose = {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-example"}}
    assert flagged(check, context, public | {"Condition": loose}, kind)
    assert flagged(check, context, public | {"Principal": BUCKET_READER}, kind) == []


def test_service_principal_without_source_in_a_resource_policy(context: AnalysisContext) -> None:
    deliver = {
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": "arn:aws:sqs:eu-west-1:111122223333:orders",
    }
    check, kind = "service-principal-without-source", PolicyKind.RESOURCE
    assert flagged(check, context, deliver, kind) == [
        "sns.amazonaws.com may act here on behalf of any AWS account"
    ]
    source = {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:eu-west-1:111122223333:events"}}
    assert flagged(check, context, deliver | {"Condition": source}, kind) == []


def test_service_principal_without_source_in_a_trust_policy_spares_compute(context: AnalysisContext) -> None:
    config = {"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "sts:AssumeRole"}
    check, kind = "service-principal-without-source", PolicyKind.TRUST
    assert flagged(check, context, config, kind)
    account = {"StringEquals": {"aws:SourceAccount": "111122223333"}}
    assert flagged(check, context, config | {"Condition": account}, kind) == []
    assert flagged(check, context, config | {"Principal": {"Service": "ec2.amazonaws.com"}}, kind) == []


def test_action_resource_mismatch(context: AnalysisContext) -> None:
    listing = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::reports/*"}
    check = "action-resource-mismatch"
    assert flagged(check, context, listing) == [
        "s3:ListBucket acts on accesspoint, bucket; none of the listed resources is one"
    ]
    assert flagged(check, context, listing | {"Resource": "arn:aws:s3:::reports"}) == []
    all_buckets = {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::reports"}
    assert flagged(check, context, all_buckets) == [
        's3:ListAllMyBuckets supports only Resource "*"; the listed ARNs never grant it'
    ]
    assert flagged(check, context, all_buckets | {"Resource": "*"}) == []


def test_resource_patterns_overlap_by_segment_rules() -> None:
    bucket = ("arn:${Partition}:s3:::${BucketName}",)
    role = ("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",)
    assert resource_fits("arn:aws:s3:::reports", bucket)
    assert resource_fits("arn:aws:s3:::rep*", bucket)
    assert not resource_fits("arn:aws:s3:::reports/2026/*", bucket)
    assert resource_fits("arn:aws:iam::111122223333:role/team/app", role)
    assert resource_fits("arn:aws:iam::*:role/${aws:username}", role)
    assert not resource_fits("arn:aws:iam::111122223333:user/app", role)


def test_condition_key_not_supported(context: AnalysisContext) -> None:
    prefix = {"StringLike": {"s3:prefix": "home/*"}}
    statement = {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*", "Condition": prefix}
    check = "condition-key-not-supported"
    assert flagged(check, context, statement) == [
        "s3:prefix (StringLike) is supported by none of the actions, so the request never carries it"
    ]
    listing = statement | {"Action": ["s3:ListAllMyBuckets", "s3:ListBucket"]}
    assert flagged(check, context, listing) == []
    assert flagged(check, context, statement | {"Condition": {"Bool": {"aws:SecureTransport": "true"}}}) == []


def test_condition_operator_type_mismatch(context: AnalysisContext) -> None:
    mfa = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    check = "condition-operator-type-mismatch"
    as_text = mfa | {"Condition": {"StringEquals": {"aws:MultiFactorAuthPresent": "true"}}}
    assert flagged(check, context, as_text) == [
        "StringEquals compares String values but aws:MultiFactorAuthPresent is Bool; use Bool"
    ]
    assert (
        flagged(check, context, mfa | {"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}) == []
    )
    arn = "arn:aws:sns:*:111122223333:*"
    assert flagged(check, context, mfa | {"Condition": {"StringLike": {"aws:SourceArn": arn}}}) == [
        "StringLike compares String values but aws:SourceArn is ARN; use ArnLike"
    ]
    assert flagged(check, context, mfa | {"Condition": {"ArnLike": {"aws:SourceArn": arn}}}) == []
    assert flagged(check, context, mfa | {"Condition": {"Bool": {"aws:SourceIp": "true"}}})
    assert flagged(check, context, mfa | {"Condition": {"NumericLessThan": {"aws:PrincipalAccount": "5"}}})
    assert (
        flagged(check, context, mfa | {"Condition": {"DateLessThan": {"aws:EpochTime": "1700000000"}}}) == []
    )


def test_redundant_action_and_resource(context: AnalysisContext) -> None:
    statement = {"Effect": "Allow", "Action": ["s3:GetObject", "s3:Get*"], "Resource": "*"}
    check = "redundant-action"
    assert flagged(check, context, statement) == ["action s3:GetObject is already covered by s3:Get*"]
    assert flagged(check, context, statement | {"Action": ["s3:PutObject", "s3:Get*"]}) == []
    assert flagged(check, context, statement | {"Action": ["s3:Get*", "S3:GET*"]}) == [
        "action S3:GET* is listed twice"
    ]
    resources = ["arn:aws:s3:::reports/*", "arn:aws:s3:::reports/2026/*"]
    assert flagged(check, context, {"Effect": "Allow", "Action": "s3:GetObject", "Resource": resources}) == [
        "resource arn:aws:s3:::reports/2026/* is already covered by arn:aws:s3:::reports/*"
    ]
    distinct = ["arn:aws:s3:::reports/*", "arn:aws:s3:::reports"]
    assert flagged(check, context, {"Effect": "Allow", "Action": "s3:GetObject", "Resource": distinct}) == []
    assert flagged(check, context, statement | {"Action": ["s3:Get?bject", "s3:Get*"]}) == [
        "action s3:Get?bject is already covered by s3:Get*"
    ]
    assert flagged(check, context, statement | {"Action": ["s3:Get*", "s3:Get?bject"]}) == [
        "action s3:Get?bject is already covered by s3:Get*"
    ]


def test_condition_always_true_or_false(context: AnalysisContext) -> None:
    team = {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}
    check, trust = "condition-always-true-or-false", PolicyKind.TRUST
    anything = {"StringLike": {"aws:PrincipalTag/team": "*"}}
    assert flagged(check, context, team | {"Condition": anything}, trust) == [
        'StringLike on aws:PrincipalTag/team with "*" matches any present value; '
        'Null "false" tests presence clearly'
    ]
    data = {"StringLike": {"aws:PrincipalTag/team": "data-*"}}
    assert flagged(check, context, team | {"Condition": data}, trust) == []

    read = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    both = {"Null": {"aws:PrincipalTag/team": ["true", "false"]}}
    assert flagged(check, context, read | {"Condition": both}) == [
        "Null on aws:PrincipalTag/team with both true and false holds for every request"
    ]
    assert flagged(check, context, read | {"Condition": {"Null": {"aws:PrincipalTag/team": "false"}}}) == []
    clash = {"Null": {"aws:PrincipalTag/team": "true"}, "StringEquals": {"aws:PrincipalTag/team": "data"}}
    assert len(flagged(check, context, read | {"Condition": clash})) == 1
    no_clash = clash | {"StringNotEquals": {"aws:PrincipalTag/team": "data"}}
    del no_clash["StringEquals"]
    assert flagged(check, context, read | {"Condition": no_clash}) == []
    empty = {"StringEquals": {"aws:PrincipalTag/team": []}}
    assert flagged(check, context, read | {"Condition": empty}) == [
        "StringEquals on aws:PrincipalTag/team has no values, so it never holds for a present key"
    ]
    assert (
        flagged(check, context, read | {"Condition": {"StringEquals": {"aws:PrincipalTag/team": ["a"]}}})
        == []
    )


def test_access_level_profile_of_s3_star_is_the_catalogue_s3_profile(catalog: ActionCatalog) -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    policy = parse_policy(json.dumps(document)).policy
    assert policy is not None
    profile = access_level_profile(policy, catalog)
    service = catalog.service("s3")
    assert service is not None
    expected = {level: 0 for level in ACCESS_LEVELS}
    for info in service.actions.values():
        expected[info.access_level] += 1
    assert profile == expected
    assert set(profile) == set(ACCESS_LEVELS) and all(profile[level] > 0 for level in ACCESS_LEVELS)


def test_access_level_profile_subtracts_outright_denies_only(catalog: ActionCatalog) -> None:
    allow = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    deny = {"Effect": "Deny", "Action": "s3:Put*", "Resource": "*"}
    conditional = deny | {"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}

    def writes(*statements: dict[str, Any]) -> int:
        policy = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": list(statements)})).policy
        assert policy is not None
        return access_level_profile(policy, catalog)["Write"]

    assert writes(allow, deny) < writes(allow) == writes(allow, conditional)
