"""Region and account fields of resource ARNs judged against the catalogue's ARN formats, and the rules
AWS Organizations adds for resource control policies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sojourn.catalog import ActionCatalog
from sojourn.policy import PolicyKind, Severity, parse_policy
from sojourn.policy.validate import validate_policy


def found(
    catalog: ActionCatalog, *statements: dict[str, Any], kind: PolicyKind = PolicyKind.IDENTITY
) -> list[tuple[str, Severity]]:
    text = json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)
    parsed = parse_policy(text, source="t.json", kind=kind)
    assert parsed.policy is not None, parsed.issues
    return [(i.code, i.severity) for i in validate_policy(parsed.policy, catalog)]


def on(resource: str, action: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:iam::111122223333:role/app",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:s3:::bucket/key",
        "arn:aws:s3:us-east-1:111122223333:accesspoint/ap",
        "arn:aws:ec2:*:*:instance/*",
        "arn:aws:ec2:us-gov-west-1:111122223333:instance/i-1",
        "arn:aws-cn:ec2:cn-north-1:111122223333:instance/i-1",
        "arn:aws:ec2:eu-central-2::image/ami-1",
        "arn:aws:sqs:${aws:RequestedRegion}:${aws:PrincipalAccount}:q",
        "arn:aws:sagemaker:*:aws:hub/SageMakerPublicHub",
        "arn:aws:sqs:us-east-1:111122223333:jobs",
    ],
)
def test_well_formed_arns_raise_nothing(catalog: ActionCatalog, resource: str) -> None:
    assert found(catalog, on(resource)) == []


@pytest.mark.parametrize(
    ("resource", "code"),
    [
        ("arn:aws:iam:eu-west-1:111122223333:user/x", "arn-region-not-allowed"),
        ("arn:aws:organizations:us-east-1:111122223333:account/o-1/111122223333", "arn-region-not-allowed"),
        ("arn:aws:lambda::111122223333:function:f", "arn-region-missing"),
        ("arn:aws:lambda:US-EAST-1:111122223333:function:f", "bad-arn-region"),
        ("arn:aws:lambda:useast-1:111122223333:function:f", "bad-arn-region"),
        ("arn:aws:lambda:us-east-1:11112222333:function:f", "bad-arn-account"),
        ("arn:aws:lambda:us-east-1:acme:function:f", "bad-arn-account"),
        ("arn:aws:route53::111122223333:hostedzone/Z1", "arn-account-not-allowed"),
        ("arn:aws:health:us-east-1:111122223333:event/*", "arn-account-not-allowed"),
    ],
)
def test_a_field_the_service_rules_out_or_needs_is_an_error(
    catalog: ActionCatalog, resource: str, code: str
) -> None:
    assert found(catalog, on(resource)) == [(code, Severity.ERROR)]


def test_aws_published_policies_get_warnings_not_errors(catalog: ActionCatalog) -> None:
    managed = found(catalog, on("arn:aws:logs::111122223333:log-group:x*"), kind=PolicyKind.AWS_MANAGED)
    assert managed == [("arn-region-missing", Severity.WARNING)]


def test_requested_region_values_are_judged_by_shape(catalog: ActionCatalog) -> None:
    def region(value: Any, operator: str = "StringEquals") -> list[tuple[str, Severity]]:
        statement = {**on("*"), "Condition": {operator: {"aws:RequestedRegion": value}}}
        return found(catalog, statement)

    assert region(["eu-west-1", "ap-southeast-7", "mx-central-1"]) == []
    assert region("eu-*", "StringLike") == []
    assert region(["eu-west-1", "europe"]) == [("bad-region", Severity.ERROR)]


RCP_FULL = {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
RCP_DENY = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": ["s3:*", "sts:AssumeRole"],
    "Resource": "*",
    "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-example"}},
}


def test_aws_own_full_access_rcp_and_a_data_perimeter_rcp_pass(catalog: ActionCatalog) -> None:
    assert found(catalog, RCP_FULL, RCP_DENY, kind=PolicyKind.RCP) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"Effect": "Allow"}, "rcp-allow"),
        ({"Principal": {"AWS": "111122223333"}}, "rcp-principal"),
        ({"Action": ["s3:GetObject", "ec2:RunInstances"]}, "rcp-unsupported-service"),
    ],
)
def test_what_organizations_refuses_in_an_rcp_is_an_error(
    catalog: ActionCatalog, change: dict[str, Any], code: str
) -> None:
    assert (code, Severity.ERROR) in found(catalog, {**RCP_DENY, **change}, kind=PolicyKind.RCP)


def test_not_action_and_not_principal_are_refused_in_an_rcp(catalog: ActionCatalog) -> None:
    statement = {k: v for k, v in RCP_DENY.items() if k not in {"Action", "Principal"}}
    statement |= {"NotAction": "s3:GetObject", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}}
    codes = {c for c, _ in found(catalog, statement, kind=PolicyKind.RCP)}
    assert {"rcp-not-action", "rcp-not-principal"} <= codes


def test_the_same_statements_are_fine_in_a_bucket_policy(catalog: ActionCatalog) -> None:
    statement = {**RCP_DENY, "Action": "ec2:RunInstances", "Principal": {"AWS": "111122223333"}}
    assert [c for c, _ in found(catalog, statement, kind=PolicyKind.RESOURCE) if c.startswith("rcp")] == []
