"""Parser errors carry line, column and path; validation uses the real catalogue; fuzzing never crashes."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sojourn.catalog import ActionCatalog
from sojourn.policy import PolicyKind, parse_policy, parse_policy_document
from sojourn.policy.validate import validate_policy

GOOD = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"},
    {"Effect": "Allow", "Action": "s3:GetObjcet", "Resource": "*",
     "Condition": {"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:SourceIp": "10.0.0.1"}}}
  ]
}"""


def messages(text: str, kind: PolicyKind = PolicyKind.IDENTITY) -> list[str]:
    return [str(i) for i in parse_policy(text, source="p.json", kind=kind).issues]


def test_unknown_action_is_located_with_a_suggestion(catalog: ActionCatalog) -> None:
    result = parse_policy(GOOD, source="p.json")
    assert result.ok and result.policy is not None
    found = [str(i) for i in validate_policy(result.policy, catalog)]
    assert (
        "p.json:5:35: Statement[1].Action: unknown action 's3:GetObjcet' (did you mean s3:GetObject?)"
        in found
    )
    assert any(
        f.startswith(
            "p.json:6:78: Statement[1].Condition.StringEquals.aws:SourceIp: StringEquals compares "
            "String values but aws:SourceIp is IPAddress"
        )
        for f in found
    )


def test_json_error_points_at_the_place() -> None:
    assert messages('{"Version": "2012-10-17",\n "Statement": [}') == [
        "p.json:2:16: invalid JSON: unexpected '}'; expected a value; a policy is a JSON object such as "
        '{"Version": "2012-10-17", "Statement": [...]}'
    ]


def test_grammar_errors_each_named() -> None:
    text = json.dumps(
        {
            "Version": "2012-10-18",
            "Statement": [
                {
                    "Sid": "a-b",
                    "Effect": "allow",
                    "Action": "s3GetObject",
                    "Resource": "bucket",
                    "Principal": "*",
                    "Condition": {"StringEqualz": {"aws:x": "y"}},
                },
                {"Sid": "a-b", "Effect": "Deny", "NotAction": "*", "Action": "*"},
            ],
        }
    )
    found = {i.code for i in parse_policy(text).issues}
    assert found == {
        "bad-version",
        "bad-sid",
        "bad-effect",
        "bad-action",
        "bad-arn",
        "principal-not-allowed",
        "unknown-operator",
        "duplicate-sid",
        "both-elements",
        "missing-resource",
    }


def test_resource_policy_needs_principal_and_quota_is_enforced() -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    codes = [
        i.code
        for i in parse_policy(
            json.dumps({"Version": "2012-10-17", "Statement": statement}), kind=PolicyKind.RESOURCE
        ).issues
    ]
    assert codes == ["missing-principal"]
    big = {"Version": "2012-10-17", "Statement": [dict(statement, Sid=f"S{i}") for i in range(40)]}
    assert [i.code for i in parse_policy(json.dumps(big), kind=PolicyKind.SESSION).issues] == ["quota"]


def test_principals_in_all_forms() -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {
                "AWS": ["111122223333", "arn:aws:iam::111122223333:role/r", "*"],
                "Service": "lambda.amazonaws.com",
                "Federated": "cognito-identity.amazonaws.com",
                "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
            },
        },
    }
    result = parse_policy_document(document, kind=PolicyKind.TRUST)
    assert result.ok, result.issues
    assert result.policy is not None
    assert {p.kind for p in result.policy.statements[0].principals or ()} == {
        "AWS",
        "Service",
        "Federated",
        "CanonicalUser",
    }


def test_condition_operators_are_parsed_with_qualifiers_and_if_exists() -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {
                "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*", "b"]},
                "Null": {"aws:MultiFactorAuthAge": True},
                "NumericLessThan": {"s3:max-keys": 10},
            },
        },
    }
    result = parse_policy_document(document)
    assert result.ok and result.policy is not None
    conditions = {c.key: c for c in result.policy.statements[0].conditions}
    tag = conditions["aws:TagKeys"]
    assert (tag.qualifier, tag.base, tag.if_exists, tag.values) == (
        "ForAnyValue",
        "StringLike",
        True,
        ("a*", "b"),
    )
    assert conditions["aws:MultiFactorAuthAge"].values == ("true",)
    assert conditions["s3:max-keys"].values == ("10",)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "Version",
                    "Statement",
                    "Effect",
                    "Action",
                    "NotAction",
                    "Resource",
                    "Principal",
                    "Condition",
                    "Sid",
                    "x",
                    "AWS",
                    "StringEquals",
                    "aws:SourceIp",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, st.sampled_from(list(PolicyKind)))
def test_any_json_gives_a_policy_or_issues_never_an_exception(document: object, kind: PolicyKind) -> None:
    result = parse_policy_document(document, kind=kind)
    assert result.policy is not None or result.issues


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.integers(min_value=0, max_value=len(GOOD)))
def test_any_text_or_mutated_policy_never_raises(noise: str, cut: int) -> None:
    for text in (noise, GOOD[:cut] + noise + GOOD[cut:]):
        result = parse_policy(text)
        assert result.policy is not None or result.issues
        for issue in result.issues:
            assert issue.line >= 1 and issue.col >= 1


GITHUB = "token.actions.githubusercontent.com"
EKS = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE0123"


def test_identity_provider_condition_keys_are_accepted_without_warnings(catalog: ActionCatalog) -> None:
    """GitHub Actions and EKS service-account trust policies use the provider's host as the key prefix."""
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{GITHUB}"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                            f"{EKS}:sub": "system:serviceaccount:ci:app",
                        },
                        "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"},
                    },
                }
            ],
        }
    )
    result = parse_policy(text, kind=PolicyKind.TRUST)
    assert result.policy is not None and result.issues == ()
    assert validate_policy(result.policy, catalog) == ()


def test_a_trailing_line_break_is_not_part_of_a_valid_name() -> None:
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "One\n", "Effect": "Allow", "Action": "s3:GetObject\n", "Resource": "*"},
            ],
        }
    )
    codes = {issue.code for issue in parse_policy(text, kind=PolicyKind.IDENTITY).issues}
    assert {"bad-action", "bad-sid"} <= codes


def test_a_misspelt_global_key_is_still_warned_about(catalog: ActionCatalog) -> None:
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": "*",
                    "Condition": {
                        "IpAddress": {"aws.SourceIp": "10.0.0.0/8", "aws.x:SourceIp": "10.0.0.0/8"}
                    },
                }
            ],
        }
    )
    result = parse_policy(text, kind=PolicyKind.IDENTITY)
    assert result.policy is not None
    warned = {issue.path.rsplit(".", 1)[-1] for issue in validate_policy(result.policy, catalog)}
    assert {"SourceIp", "x:SourceIp"} <= warned


def test_a_deeply_nested_decoded_document_is_an_issue_not_a_crash() -> None:
    value: object = "x"
    for _ in range(700):
        value = {"a": value}
    document = {
        "Version": value,
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
    result = parse_policy_document(document)
    assert result.policy is None and [issue.code for issue in result.issues] == ["too-deep"]
