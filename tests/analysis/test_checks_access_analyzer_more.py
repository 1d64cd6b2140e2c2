"""The condition-value, duplicate-statement and federated-trust checks: each flags one policy and leaves its
near twin alone."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sojourn.analysis.finding import AnalysisContext
from sojourn.analysis.registry import CHECKS, analyse
from sojourn.catalog import load_catalog
from sojourn.policy import PolicyKind, parse_policy

BY_ID = {check.meta.id: check for check in CHECKS}
GITHUB = "token.actions.githubusercontent.com"
GITHUB_PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{GITHUB}"
SAML_PROVIDER = "arn:aws:iam::111122223333:saml-provider/corp"


@pytest.fixture(scope="module")
def context() -> AnalysisContext:
    return AnalysisContext(frozenset({"111122223333"}), "o-example", load_catalog())


def details(
    check_id: str,
    context: AnalysisContext,
    *statements: dict[str, Any],
    kind: PolicyKind = PolicyKind.IDENTITY,
) -> list[str]:
    document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    result = parse_policy(document, kind=kind)
    assert result.policy is not None, result.issues
    return [f.detail for f in analyse(result.policy, context, [BY_ID[check_id]])]


def read(condition: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", **more}
    return statement | ({"Condition": condition} if condition else {})


def web_identity(provider: str, condition: dict[str, Any] | None = None, action: str = "") -> dict[str, Any]:
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": action or "sts:AssumeRoleWithWebIdentity",
    }
    return statement | ({"Condition": condition} if condition else {})


def test_a_wildcard_under_an_exact_operator_is_flagged_and_a_like_operator_or_an_escape_is_not(
    context: AnalysisContext,
) -> None:
    check = "wildcard-without-like-operator"
    assert details(check, context, read({"StringNotEquals": {"aws:PrincipalTag/team": ["ops", "web?"]}})) == [
        "StringNotEquals on aws:PrincipalTag/team compares 'web?' character by character; a like operator "
        "would treat * and ? as wildcards"
    ]
    assert details(check, context, read({"StringLike": {"aws:PrincipalTag/team": "web-*"}})) == []
    assert details(check, context, read({"StringEquals": {"aws:PrincipalTag/team": "web-${*}"}})) == []
    arn = {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}}
    assert details(check, context, read(arn)) == []


def test_only_the_widest_numeric_bound_counts(context: AnalysisContext) -> None:
    check = "redundant-numeric-condition-value"
    assert details(check, context, read({"NumericGreaterThan": {"s3:max-keys": ["5", "2", "9"]}})) == [
        "NumericGreaterThan on s3:max-keys: 5, 9 add nothing beside the widest bound"
    ]
    assert details(check, context, read({"NumericEquals": {"s3:max-keys": ["5", "2"]}})) == []
    assert details(check, context, read({"NumericLessThan": {"s3:max-keys": ["5"]}})) == []
    assert details(check, context, read({"NumericLessThan": {"s3:max-keys": ["5", "${aws:username}"]}})) == []


def test_vpc_source_ip_needs_the_vpc_or_endpoint_beside_it(context: AnalysisContext) -> None:
    check = "missing-paired-condition-key"
    lone = {"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}}
    assert len(details(check, context, read(lone))) == 1
    paired = lone | {"StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d"}}
    assert details(check, context, read(paired)) == []


def test_a_repeated_statement_is_reported_once_on_the_first_copy(context: AnalysisContext) -> None:
    check = "duplicate-statement"
    first = read(Sid="A", Resource=["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"])
    again = read(Sid="B", Action="S3:getobject", Resource=["arn:aws:s3:::b/*", "arn:aws:s3:::a/*"])
    assert details(check, context, first, read(), again, again) == [
        "Statement[2], Statement[3] repeats this statement exactly"
    ]
    other_case = read(Resource=["arn:aws:s3:::A/*", "arn:aws:s3:::b/*"])
    assert details(check, context, first, other_case) == []
    conditioned = read({"Bool": {"aws:SecureTransport": "true"}}, Resource=first["Resource"])
    assert details(check, context, first, conditioned) == []


def test_github_needs_a_subject_condition(context: AnalysisContext) -> None:
    check, trust = "github-oidc-without-repository", PolicyKind.TRUST
    audience = {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"}}
    assert len(details(check, context, web_identity(GITHUB_PROVIDER, audience), kind=trust)) == 1
    subject = audience | {"StringLike": {f"{GITHUB}:sub": "repo:example/app:ref:refs/heads/main"}}
    assert details(check, context, web_identity(GITHUB_PROVIDER, subject), kind=trust) == []
    assert details("oidc-without-claim-condition", context, web_identity(GITHUB_PROVIDER), kind=trust) == []


def test_other_oidc_providers_need_a_condition_on_their_own_claims(context: AnalysisContext) -> None:
    check, trust = "oidc-without-claim-condition", PolicyKind.TRUST
    provider = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"
    host = "oidc.eks.eu-west-1.amazonaws.com/id/abc"
    assert details(check, context, web_identity(provider), kind=trust) == [
        f"no condition on {host}'s claims ({host}:aud, {host}:sub): "
        "any user of the provider may assume the role"
    ]
    own = {"StringEquals": {f"{host}:sub": "system:serviceaccount:app:web"}}
    assert details(check, context, web_identity(provider, own), kind=trust) == []
    foreign = {"StringEquals": {"accounts.google.com:aud": "app"}}
    assert len(details(check, context, web_identity(provider, foreign), kind=trust)) == 1
    assert (
        details(check, context, web_identity(SAML_PROVIDER, action="sts:AssumeRoleWithSAML"), kind=trust)
        == []
    )


def test_the_assume_action_must_fit_the_principal(context: AnalysisContext) -> None:
    check, trust = "assume-action-does-not-fit-principal", PolicyKind.TRUST
    assert details(check, context, web_identity(SAML_PROVIDER), kind=trust) == [
        f"sts:assumerolewithwebidentity cannot be used by {SAML_PROVIDER}"
    ]
    assert (
        details(check, context, web_identity(SAML_PROVIDER, action="sts:AssumeRoleWithSAML"), kind=trust)
        == []
    )
    service = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    assert details(check, context, service, kind=trust) == []
    assert len(details(check, context, service | {"Action": "sts:AssumeRoleWithSAML"}, kind=trust)) == 1


def test_a_session_beside_its_own_role_is_redundant(context: AnalysisContext) -> None:
    check, trust = "session-beside-its-role", PolicyKind.TRUST
    role = "arn:aws:iam::111122223333:role/teams/deploy"

    def trusting(*principals: str) -> dict[str, Any]:
        return {"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": "sts:AssumeRole"}

    session = "arn:aws:sts::111122223333:assumed-role/deploy/ci"
    assert len(details(check, context, trusting(role, session), kind=trust)) == 1
    other_account = "arn:aws:sts::444455556666:assumed-role/deploy/ci"
    assert details(check, context, trusting(role, other_account), kind=trust) == []
    assert details(check, context, trusting(session), kind=trust) == []
