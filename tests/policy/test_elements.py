"""Structural checks per element: condition value types, policy variables, principal forms, quotas."""

from __future__ import annotations

import json

import pytest

from sojourn.policy import (
    PolicyKind,
    Severity,
    inline_quota_issues,
    parse_policy,
    parse_policy_document,
)


def statement(**extra: object) -> dict[str, object]:
    return {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", **extra}


def codes(document: object, kind: PolicyKind = PolicyKind.IDENTITY) -> list[tuple[str, str, Severity]]:
    issues = parse_policy_document(document, source="p", kind=kind).issues
    return [(i.code, i.path, i.severity) for i in issues]


def condition_codes(operator: str, value: object) -> list[str]:
    document = {"Version": "2012-10-17", "Statement": statement(Condition={operator: {"aws:k": value}})}
    return [code for code, _, _ in codes(document)]


@pytest.mark.parametrize(
    ("operator", "good", "bad"),
    [
        ("NumericLessThan", "10", "ten"),
        ("NumericEquals", "-1.5", "1e3x"),
        ("DateGreaterThan", "2026-01-31T00:00:00Z", "31/01/2026"),
        ("DateLessThanIfExists", "1700000000", "tomorrow"),
        ("Bool", "true", "yes"),
        ("Null", "false", "maybe"),
        ("IpAddress", "203.0.113.0/24", "203.0.113.300"),
        ("NotIpAddress", "2001:db8::/32", "2001:zz8::/32"),
        ("BinaryEquals", "QmluYXJ5", "not base64!"),
        ("ForAnyValue:NumericGreaterThan", "3", "three"),
    ],
)
def test_condition_values_must_fit_the_operator_type(operator: str, good: str, bad: str) -> None:
    assert condition_codes(operator, good) == []
    assert condition_codes(operator, [good, bad]) == ["bad-condition-value"]


def test_string_operators_take_any_value_and_arn_operators_warn_on_non_arns() -> None:
    assert condition_codes("StringEquals", ["x y z", 12, True]) == []
    document = {"Version": "2012-10-17", "Statement": statement(Condition={"ArnLike": {"aws:k": "role"}})}
    assert codes(document) == [("bad-condition-value", "Statement.Condition.ArnLike.aws:k", Severity.WARNING)]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("arn:aws:s3:::home/${aws:username}/*", None),
        ("arn:aws:s3:::home/${aws:PrincipalTag/team, 'none'}/*", None),
        ("arn:aws:s3:::x/${*}/${?}/${$}", None),
        ("arn:aws:s3:::home/${aws:username/*", "bad-variable"),
        ("arn:aws:s3:::home/${username}/*", "bad-variable"),
        ("arn:aws:s3:::home/${aws:username, none}/*", "bad-variable"),
    ],
)
def test_policy_variables_in_resources(value: str, code: str | None) -> None:
    found = [c for c, _, _ in codes({"Version": "2012-10-17", "Statement": statement(Resource=value)})]
    assert found == ([code] if code else [])


def test_variables_need_version_2012_and_string_or_arn_operators() -> None:
    old = {"Version": "2008-10-17", "Statement": statement(Resource="arn:aws:s3:::${aws:username}")}
    assert codes(old) == [("variable-without-version", "Statement.Resource", Severity.WARNING)]
    assert condition_codes("StringLike", "home/${aws:username}/*") == []
    assert condition_codes("NumericLessThan", "${aws:MultiFactorAuthAge}") == ["variable-not-allowed"]
    assert condition_codes("StringEquals", "${aws:username") == ["bad-variable"]
    document = {"Version": "2012-10-17", "Statement": statement(Action="s3:${aws:username}")}
    assert [c for c, _, _ in codes(document)] == ["bad-action"]


@pytest.mark.parametrize(
    ("principal", "problem"),
    [
        ({"AWS": "arn:aws:iam::111122223333:role/path/deployer"}, False),
        ({"AWS": "arn:aws:sts::111122223333:assumed-role/r/session"}, False),
        ({"AWS": "arn:aws:iam::111122223333:role/*"}, True),
        ({"AWS": "111122223333"}, False),
        ({"AWS": "11112222333"}, True),
        ({"AWS": "alice"}, True),
        ({"Service": "ec2.amazonaws.com"}, False),
        ({"Service": "ec2"}, True),
        ({"Federated": "arn:aws:iam::111122223333:saml-provider/Okta"}, False),
        ({"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, False),
        ({"Federated": "accounts.google.com"}, False),
        ({"Federated": "*"}, True),
        ({"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}, False),
        ({"CanonicalUser": "79a59df9"}, True),
        ({}, True),
    ],
)
def test_principal_forms(principal: dict[str, str], problem: bool) -> None:
    document = {"Version": "2012-10-17", "Statement": statement(Principal=principal)}
    found = [c for c, _, _ in codes(document, PolicyKind.RESOURCE)]
    assert found == (["bad-principal"] if problem else [])


def test_not_principal_with_allow_warns_and_both_elements_are_an_error() -> None:
    allow = statement(NotPrincipal={"AWS": "111122223333"})
    assert codes({"Version": "2012-10-17", "Statement": allow}, PolicyKind.RESOURCE) == [
        ("not-principal-with-allow", "Statement.NotPrincipal", Severity.WARNING)
    ]
    deny = dict(allow, Effect="Deny")
    assert codes({"Version": "2012-10-17", "Statement": deny}, PolicyKind.RESOURCE) == []
    both = dict(deny, Principal="*")
    assert [c for c, _, _ in codes({"Version": "2012-10-17", "Statement": both}, PolicyKind.RESOURCE)] == [
        "both-elements"
    ]


def padded(size: int) -> str:
    """A policy of exactly `size` characters without white space (the Sid pads it)."""
    base = {"Version": "2012-10-17", "Statement": statement(Sid="")}
    short = len(json.dumps(base, separators=(",", ":")))
    base["Statement"] = statement(Sid="A" * (size - short))
    return json.dumps(base, indent=2)


@pytest.mark.parametrize(
    ("kind", "limit"),
    [
        (PolicyKind.IDENTITY, 10_240),
        (PolicyKind.MANAGED, 6_144),
        (PolicyKind.INLINE_USER, 2_048),
        (PolicyKind.INLINE_GROUP, 5_120),
        (PolicyKind.INLINE_ROLE, 10_240),
        (PolicyKind.BOUNDARY, 6_144),
        (PolicyKind.SESSION, 2_048),
    ],
)
def test_white_space_free_quotas_are_exact(kind: PolicyKind, limit: int) -> None:
    at_limit = parse_policy(padded(limit), kind=kind)
    assert at_limit.policy is not None and at_limit.policy.size == limit and at_limit.ok
    over = parse_policy(padded(limit + 1), kind=kind)
    assert [i.code for i in over.issues] == ["quota"] and not over.ok


def test_scp_quota_counts_white_space() -> None:
    text = padded(5_000)
    assert parse_policy(text.replace("\n", ""), kind=PolicyKind.SCP).ok
    assert [i.code for i in parse_policy(text + " " * 200, kind=PolicyKind.SCP).issues] == ["quota"]


def test_trust_policy_quota_warns_past_the_default_and_fails_past_the_maximum() -> None:
    def trust(size: int) -> str:
        text = padded(size)
        document = json.loads(text)
        document["Statement"]["Principal"] = {"AWS": "111122223333"}
        document["Statement"]["Sid"] = document["Statement"]["Sid"][
            : -len('"Principal":{"AWS":"111122223333"},')
        ]
        return json.dumps(document)

    assert parse_policy(trust(2_048), kind=PolicyKind.TRUST).issues == ()
    warned = parse_policy(trust(3_000), kind=PolicyKind.TRUST)
    assert warned.ok and [(i.code, i.severity) for i in warned.issues] == [("quota", Severity.WARNING)]
    assert not parse_policy(trust(4_097), kind=PolicyKind.TRUST).ok


def test_inline_policies_share_one_quota_per_owner() -> None:
    small = parse_policy(padded(1_500)).policy
    assert small is not None
    assert inline_quota_issues([small], "user", "alice") == ()
    [issue] = inline_quota_issues([small, small], "user", "alice")
    assert issue.code == "inline-quota" and "3,000" in issue.message and "2,048" in issue.message
    assert inline_quota_issues([small] * 6, "role", "r") == ()
    assert len(inline_quota_issues([small] * 7, "role", "r")) == 1


def test_iam_policies_accept_latin_1_only() -> None:
    text = json.dumps(
        {"Version": "2012-10-17", "Statement": statement(Resource="arn:aws:s3:::caf\u00e9/\u2603")},
        ensure_ascii=False,
    )
    [issue] = parse_policy(text, source="p.json").issues
    assert issue.code == "bad-character" and "U+2603" in issue.message
    assert issue.col == text.index("\u2603") + 1
    assert parse_policy(text, kind=PolicyKind.SCP).ok


def test_decoded_documents_have_paths_but_no_positions() -> None:
    [issue] = parse_policy_document(
        {"Version": "2012-10-17", "Statement": [statement(Effect="allow")]}, source="doc"
    ).issues
    assert (issue.line, issue.col) == (0, 0)
    assert str(issue).startswith("doc: Statement[0].Effect: Effect must be")
    [unserialisable] = parse_policy_document({"Statement": {1, 2}}, source="doc").issues
    assert unserialisable.code == "not-json"


def test_a_version_or_effect_that_is_not_a_string_is_shown_as_written() -> None:
    text = '{"Version": ["2012-10-17"], "Statement": {"Effect": {"a": 1}, "Action": "*", "Resource": "*"}}'
    version, effect = parse_policy(text).issues
    assert version.message.endswith("not ['2012-10-17']")
    assert effect.message.endswith("not {'a': 1}")
    [from_document] = parse_policy_document({"Version": ("2012-10-17",), "Statement": []}).issues[:1]
    assert from_document.message.endswith("not ['2012-10-17']")
