"""Access Analyzer parity: for each AA ValidatePolicy check Sojourn makes, a document in the spirit of the
example in AA's check reference, the Sojourn code it raises and the AA issue code reported beside it.

The documents are our own; the table of every AA check (with the ones Sojourn does not make and why) is in
docs/policy-evaluation.md, and `test_every_mapped_code_is_tested` keeps the two in step.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sojourn.analysis.finding import AnalysisContext
from sojourn.analysis.registry import ALL_CHECKS, analyse
from sojourn.catalog import ActionCatalog
from sojourn.policy import PolicyKind, parse_policy
from sojourn.policy.access_analyzer import BY_CODE, EMPTY_ARRAY, VALUE_TYPE
from sojourn.policy.validate import validate_policy

ROLE = "arn:aws:iam::111122223333:role/app"


def doc(*statements: dict[str, Any], version: str | None = "2012-10-17") -> str:
    document: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        document = {"Version": version, **document}
    return json.dumps(document, indent=2)


def allow(action: Any = "s3:GetObject", resource: Any = "*", **more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


def when(operator: str, key: str, value: Any) -> dict[str, Any]:
    return {"Condition": {operator: {key: value}}}


BUCKET_POLICY = PolicyKind.RESOURCE
IDENTITY = PolicyKind.IDENTITY
TRUST = PolicyKind.TRUST
GITHUB = "token.actions.githubusercontent.com"
GITHUB_PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{GITHUB}"


def federated(provider: str, action: str = "sts:AssumeRoleWithWebIdentity", **more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": {"Federated": provider}, "Action": action, **more}


CASES: list[tuple[str, PolicyKind, str, str]] = [
    # (AA issue code, kind, document, Sojourn code)
    ("JSON_SYNTAX_ERROR", IDENTITY, '{"Version": "2012-10-17", "Statement": [}', "json-syntax"),
    ("DATA_TYPE_MISMATCH", IDENTITY, doc(allow(action=7)), "not-a-string"),
    ("INVALID_POLICY_ELEMENT", IDENTITY, doc(allow(Actions="s3:GetObject")), "unknown-element"),
    ("MISSING_VERSION", IDENTITY, doc(allow(), version=None), "missing-version"),
    ("INVALID_VERSION", IDENTITY, doc(allow(), version="2012-10-18"), "bad-version"),
    ("MISSING_STATEMENT", IDENTITY, '{"Version": "2012-10-17"}', "missing-statement"),
    ("MISSING_EFFECT", IDENTITY, doc({"Action": "s3:GetObject", "Resource": "*"}), "missing-effect"),
    ("INVALID_EFFECT", IDENTITY, doc({**allow(), "Effect": "allow"}), "bad-effect"),
    ("MISSING_ACTION", IDENTITY, doc({"Effect": "Allow", "Resource": "*"}), "missing-action"),
    ("MISSING_RESOURCE", IDENTITY, doc({"Effect": "Allow", "Action": "s3:GetObject"}), "missing-resource"),
    (
        "MISSING_PRINCIPAL",
        BUCKET_POLICY,
        doc(allow(resource="arn:aws:s3:::example-bucket/*")),
        "missing-principal",
    ),
    (
        "UNSUPPORTED_PRINCIPAL",
        IDENTITY,
        doc(allow(Principal={"AWS": "111122223333"})),
        "principal-not-allowed",
    ),
    (
        "UNSUPPORTED_ELEMENT_COMBINATION",
        IDENTITY,
        doc(allow(NotAction="s3:PutObject")),
        "both-elements",
    ),
    ("UNSUPPORTED_SID", IDENTITY, doc(allow(Sid="read objects")), "bad-sid"),
    ("UNIQUE_SIDS_REQUIRED", IDENTITY, doc(allow(Sid="Read"), allow(Sid="Read")), "duplicate-sid"),
    ("INVALID_ACTION", IDENTITY, doc(allow(action="s3:GetObjekt")), "unknown-action"),
    ("INVALID_SERVICE_IN_ACTION", IDENTITY, doc(allow(action="s4:GetObject")), "unknown-service"),
    (
        "INVALID_SERVICE",
        IDENTITY,
        doc(allow(resource="arn:aws:s4:::example-bucket/*")),
        "unknown-resource-service",
    ),
    ("INVALID_ARN_PREFIX", IDENTITY, doc(allow(resource="s3:::example-bucket/*")), "bad-arn"),
    (
        "MISSING_BRACE_IN_VARIABLE",
        IDENTITY,
        doc(allow(resource="arn:aws:s3:::example-bucket/${aws:username/*")),
        "bad-variable",
    ),
    (
        "VARIABLE_UNSUPPORTED_IN_VERSION",
        IDENTITY,
        doc(allow(resource="arn:aws:s3:::example-bucket/${aws:username}/*"), version="2008-10-17"),
        "variable-without-version",
    ),
    (
        "INVALID_VARIABLE_FOR_OPERATOR",
        IDENTITY,
        doc(allow(**when("NumericEquals", "s3:max-keys", "${aws:username}"))),
        "variable-not-allowed",
    ),
    (
        "INVALID_CONDITION_OPERATOR",
        IDENTITY,
        doc(allow(**when("StringEqualz", "aws:PrincipalTag/team", "blue"))),
        "unknown-operator",
    ),
    (
        "NULL_WITH_IF_EXISTS",
        IDENTITY,
        doc(allow(**when("NullIfExists", "aws:TokenIssueTime", "true"))),
        "unknown-operator",
    ),
    (
        "INVALID_CONDITION_KEY_FORMAT",
        IDENTITY,
        doc(allow(**when("StringEquals", "PrincipalTag/team", "blue"))),
        "bad-condition-key",
    ),
    (
        "INVALID_GLOBAL_CONDITION_KEY",
        IDENTITY,
        doc(allow(**when("StringEquals", "aws:PrincipalTeam", "blue"))),
        "unknown-condition-key",
    ),
    (
        "INVALID_SERVICE_CONDITION_KEY",
        IDENTITY,
        doc(allow(**when("StringEquals", "s3:objectsize", "1"))),
        "unknown-condition-key",
    ),
    (
        "INVALID_CONDITION_DATA_TYPE",
        IDENTITY,
        doc(allow(**when("StringEquals", "aws:PrincipalTag/team", {"a": "b"}))),
        "bad-condition-value",
    ),
    (
        "TYPE_MISMATCH_NUMBER",
        IDENTITY,
        doc(allow(action="s3:ListBucket", **when("NumericLessThan", "s3:max-keys", "ten"))),
        "bad-condition-value",
    ),
    (
        "TYPE_MISMATCH_DATE",
        IDENTITY,
        doc(allow(**when("DateLessThan", "aws:CurrentTime", "next tuesday"))),
        "bad-condition-value",
    ),
    (
        "TYPE_MISMATCH_BOOLEAN",
        IDENTITY,
        doc(allow(**when("Bool", "aws:SecureTransport", "yes"))),
        "bad-condition-value",
    ),
    (
        "TYPE_MISMATCH_IP_RANGE",
        IDENTITY,
        doc(allow(**when("IpAddress", "aws:SourceIp", "203.0.113.0/33"))),
        "bad-condition-value",
    ),
    (
        "EMPTY_OBJECT_CONDITION",
        IDENTITY,
        doc(allow(Condition={"StringEquals": {}})),
        "empty-condition",
    ),
    ("EMPTY_ARRAY_ACTION", IDENTITY, doc(allow(action=[])), "empty-list"),
    ("EMPTY_ARRAY_RESOURCE", IDENTITY, doc(allow(resource=[])), "empty-list"),
    (
        "EMPTY_ARRAY_CONDITION",
        IDENTITY,
        doc(allow(**when("StringEquals", "aws:PrincipalTag/team", []))),
        "empty-list",
    ),
    (
        "INVALID_PRINCIPAL_FORMAT",
        BUCKET_POLICY,
        doc(allow(resource="arn:aws:s3:::example-bucket/*", Principal={"AWS": "arn:aws:iam::1234:user/x"})),
        "bad-principal",
    ),
    (
        "INVALID_PRINCIPAL_KEY",
        BUCKET_POLICY,
        doc(allow(resource="arn:aws:s3:::example-bucket/*", Principal={"Account": "111122223333"})),
        "bad-principal-kind",
    ),
    (
        "ALLOW_WITH_NOT_PRINCIPAL",
        BUCKET_POLICY,
        doc(allow(resource="arn:aws:s3:::example-bucket/*", NotPrincipal={"AWS": "111122223333"})),
        "not-principal-with-allow",
    ),
    (
        "TYPE_MISMATCH",
        IDENTITY,
        doc(allow(**when("NumericEquals", "aws:PrincipalTag/team", "1"))),
        "operator-type-mismatch",
    ),
    (
        "MISSING_QUALIFIER",
        IDENTITY,
        doc(allow(**when("StringEquals", "aws:TagKeys", "team"))),
        "multivalued-key-without-qualifier",
    ),
    (
        "FOR_ALL_VALUES_WITH_SINGLE_VALUED_KEY",
        IDENTITY,
        doc(allow(**when("ForAllValues:StringEquals", "aws:PrincipalOrgID", "o-example"))),
        "qualifier-on-single-valued-key",
    ),
    (
        "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
        IDENTITY,
        doc(allow(resource=[f"arn:aws:s3:::example-bucket-{i:04}/*" for i in range(400)])),
        "quota",
    ),
    (
        "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
        BUCKET_POLICY,
        doc(
            allow(
                resource=[f"arn:aws:s3:::example-bucket/{i:05}/*" for i in range(800)],
                Principal={"AWS": "111122223333"},
            )
        ),
        "quota",
    ),
    ("PASS_ROLE_WITH_STAR_IN_RESOURCE", IDENTITY, doc(allow(action="iam:PassRole")), "passrole-on-all-roles"),
    (
        "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
        IDENTITY,
        doc(allow(action="iam:Pass*")),
        "passrole-on-all-roles",
    ),
    (
        "PASS_ROLE_WITH_NOT_RESOURCE",
        IDENTITY,
        doc({"Effect": "Allow", "Action": "iam:PassRole", "NotResource": ROLE}),
        "passrole-on-all-roles",
    ),
    (
        "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE",
        IDENTITY,
        doc({"Effect": "Allow", "NotAction": "s3:*", "NotResource": ROLE}),
        "passrole-on-all-roles",
    ),
    (
        "CREATE_SLR_WITH_STAR_IN_RESOURCE",
        IDENTITY,
        doc(allow(action="iam:CreateServiceLinkedRole")),
        "create-slr-for-any-service",
    ),
    (
        "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE",
        IDENTITY,
        doc(allow(action="iam:*")),
        "create-slr-for-any-service",
    ),
    (
        "CREATE_SLR_WITH_NOT_ACTION_AND_STAR_RESOURCE",
        IDENTITY,
        doc({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}),
        "create-slr-for-any-service",
    ),
    (
        "CREATE_SLR_WITH_NOT_RESOURCE",
        IDENTITY,
        doc({"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "NotResource": ROLE}),
        "create-slr-for-any-service",
    ),
    (
        "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
        IDENTITY,
        doc(
            allow(
                action=["ec2:StartInstances", "glacier:UploadArchive"],
                **when("StringEquals", "aws:ResourceTag/team", "blue"),
            )
        ),
        "tag-key-not-supported-by-service",
    ),
    (
        "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
        IDENTITY,
        doc(
            {
                "Effect": "Deny",
                "Action": "glacier:DeleteVault",
                "Resource": "*",
                **when("StringNotEquals", "aws:ResourceTag/team", "blue"),
            }
        ),
        "deny-tag-key-not-supported-by-service",
    ),
    (
        "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL",
        BUCKET_POLICY,
        doc(
            allow(
                action="s3:PutObject",
                resource="arn:aws:s3:::example-bucket/*",
                Principal={"Service": "cloudtrail.amazonaws.com"},
            )
        ),
        "service-principal-without-source",
    ),
    (
        "REDUNDANT_ACTION",
        IDENTITY,
        doc(allow(action=["s3:Get*", "s3:GetObject"])),
        "redundant-action",
    ),
    (
        "REDUNDANT_RESOURCE",
        IDENTITY,
        doc(allow(resource=["arn:aws:s3:::example-bucket/*", "arn:aws:s3:::example-bucket/logs/*"])),
        "redundant-action",
    ),
    (
        "PASS_ROLE_WITH_NOT_ACTION_AND_STAR_IN_RESOURCE",
        IDENTITY,
        doc({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}),
        "passrole-on-all-roles",
    ),
    (
        "EMPTY_ARRAY_PRINCIPAL",
        BUCKET_POLICY,
        doc(allow(resource="arn:aws:s3:::example-bucket/*", Principal={"AWS": []})),
        "empty-list",
    ),
    (
        "EMPTY_OBJECT_PRINCIPAL",
        BUCKET_POLICY,
        doc(allow(resource="arn:aws:s3:::example-bucket/*", Principal={})),
        "bad-principal",
    ),
    ("EMPTY_SID_VALUE", IDENTITY, doc(allow(Sid="")), "empty-sid"),
    ("WILDCARD_IN_SERVICE_NAME", IDENTITY, doc(allow(action="s3*:GetObject")), "wildcard-in-service"),
    (
        "INVALID_PARTITION",
        IDENTITY,
        doc(allow(resource="arn:amazon:s3:::example-bucket/*")),
        "unknown-partition",
    ),
    ("MISSING_ARN_FIELD", IDENTITY, doc(allow(resource="arn:aws:s3:example-bucket")), "bad-arn"),
    (
        "VARIABLE_UNSUPPORTED_IN_ELEMENT",
        IDENTITY,
        doc(allow(action="s3:${aws:username}")),
        "bad-action",
    ),
    (
        "SCP_SYNTAX_ERROR_PRINCIPAL",
        PolicyKind.SCP,
        doc({"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Principal": "*"}),
        "principal-not-allowed",
    ),
    (
        "INVALID_SERVICE_PRINCIPAL_FORMAT",
        BUCKET_POLICY,
        doc(allow(resource="arn:aws:s3:::example-bucket/*", Principal={"Service": "cloudtrail"})),
        "bad-principal",
    ),
    (
        "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
        BUCKET_POLICY,
        doc(
            allow(
                resource="arn:aws:s3:::example-bucket/*",
                Principal={"AWS": "arn:aws:iam::111122223333:role/ci-*"},
            )
        ),
        "bad-principal",
    ),
    (
        "MISSING_TAG_KEY_IN_CONDITION",
        IDENTITY,
        doc(allow(action="ec2:StartInstances", **when("StringEquals", "aws:ResourceTag", "blue"))),
        "unknown-condition-key",
    ),
    (
        "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
        IDENTITY,
        doc(allow(Condition={"StringEquals": {"aws:PrincipalTag/team": "a", "aws:principaltag/team": "b"}})),
        "duplicate-condition-key",
    ),
    (
        "NULL_WITH_QUALIFIER",
        IDENTITY,
        doc(allow(**when("ForAllValues:Null", "aws:TagKeys", "false"))),
        "null-with-qualifier",
    ),
    (
        "INVALID_CONDITION_MULTIPLE_BOOLEAN",
        IDENTITY,
        doc(allow(**when("Bool", "aws:SecureTransport", ["true", "false"]))),
        "bool-both-values",
    ),
    (
        "PRIVATE_IP_ADDRESS",
        IDENTITY,
        doc(allow(**when("IpAddress", "aws:SourceIp", "10.1.0.0/16"))),
        "private-source-ip",
    ),
    (
        "PRIVATE_NOT_IP_ADDRESS",
        IDENTITY,
        doc(
            {
                "Effect": "Deny",
                "Action": "s3:*",
                "Resource": "*",
                **when("NotIpAddress", "aws:SourceIp", "192.168.0.0/16"),
            }
        ),
        "private-source-ip",
    ),
    (
        "PRIVATE_IP_ADDRESS_SUBSET",
        IDENTITY,
        doc(allow(**when("IpAddress", "aws:SourceIp", ["203.0.113.0/24", "172.16.0.0/12"]))),
        "private-source-ip",
    ),
    (
        "PRIVATE_NOT_IP_ADDRESS_SUBSET",
        IDENTITY,
        doc(
            {
                "Effect": "Deny",
                "Action": "s3:*",
                "Resource": "*",
                **when("NotIpAddress", "aws:SourceIp", ["203.0.113.0/24", "10.0.0.0/8"]),
            }
        ),
        "private-source-ip",
    ),
    (
        "ARN_REGION_NOT_ALLOWED",
        IDENTITY,
        doc(allow(action="iam:GetRole", resource="arn:aws:iam:us-east-1:111122223333:role/app")),
        "arn-region-not-allowed",
    ),
    (
        "MISSING_ARN_REGION",
        IDENTITY,
        doc(allow(action="logs:PutLogEvents", resource="arn:aws:logs::111122223333:log-group:app:*")),
        "arn-region-missing",
    ),
    (
        "INVALID_ARN_REGION",
        IDENTITY,
        doc(allow(action="sqs:SendMessage", resource="arn:aws:sqs:us-east1:111122223333:jobs")),
        "bad-arn-region",
    ),
    (
        "ARN_ACCOUNT_NOT_ALLOWED",
        IDENTITY,
        doc(allow(action="route53:GetHostedZone", resource="arn:aws:route53::111122223333:hostedzone/Z1")),
        "arn-account-not-allowed",
    ),
    (
        "MISSING_ARN_ACCOUNT",
        IDENTITY,
        doc(allow(action="sqs:SendMessage", resource="arn:aws:sqs:us-east-1::jobs")),
        "arn-account-missing",
    ),
    (
        "INVALID_ARN_ACCOUNT",
        IDENTITY,
        doc(allow(action="sqs:SendMessage", resource="arn:aws:sqs:us-east-1:1111-2222-3333:jobs")),
        "bad-arn-account",
    ),
    (
        "INVALID_REGION",
        IDENTITY,
        doc(allow(action="ec2:RunInstances", **when("StringEquals", "aws:RequestedRegion", "us-east"))),
        "bad-region",
    ),
    (
        "IMPROVE_IP_RANGE",
        IDENTITY,
        doc(allow(**when("IpAddress", "aws:SourceIp", "203.0.113.7/24"))),
        "ip-range-host-bits",
    ),
    (
        "WILDCARD_WITHOUT_LIKE_OPERATOR",
        IDENTITY,
        doc(allow(**when("StringEquals", "aws:PrincipalTag/team", "web-*"))),
        "wildcard-without-like-operator",
    ),
    (
        "REDUNDANT_CONDITION_VALUE_NUM",
        IDENTITY,
        doc(allow(action="s3:ListBucket", **when("NumericLessThanEquals", "s3:max-keys", ["10", "100"]))),
        "redundant-numeric-condition-value",
    ),
    (
        "MISSING_PAIRED_CONDITION_KEYS",
        IDENTITY,
        doc(allow(**when("IpAddress", "aws:VpcSourceIp", "10.0.0.0/16"))),
        "missing-paired-condition-key",
    ),
    (
        "REDUNDANT_STATEMENT",
        IDENTITY,
        doc(allow(resource="arn:aws:s3:::reports/*"), allow(["s3:GetObject"], ["arn:aws:s3:::reports/*"])),
        "duplicate-statement",
    ),
    (
        "MISSING_GITHUB_REPO_CONDITION_KEY",
        TRUST,
        doc(federated(GITHUB_PROVIDER, **when("StringEquals", f"{GITHUB}:aud", "sts.amazonaws.com"))),
        "github-oidc-without-repository",
    ),
    (
        "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL",
        TRUST,
        doc(federated("cognito-identity.amazonaws.com")),
        "oidc-without-claim-condition",
    ),
    (
        "MISMATCHED_ACTION_FOR_PRINCIPAL",
        TRUST,
        doc(federated("arn:aws:iam::111122223333:saml-provider/corp", action="sts:AssumeRole")),
        "assume-action-does-not-fit-principal",
    ),
    (
        "REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY",
        TRUST,
        doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": [ROLE, "arn:aws:sts::111122223333:assumed-role/app/build-42"]},
                "Action": "sts:AssumeRole",
            }
        ),
        "session-beside-its-role",
    ),
]


def codes(catalog: ActionCatalog, kind: PolicyKind, text: str) -> set[tuple[str, str | None]]:
    """(Sojourn code, AA code) of every issue and finding on the document."""
    parsed = parse_policy(text, source="aa.json", kind=kind)
    found = {(i.code, i.access_analyzer_code) for i in parsed.issues}
    if parsed.policy is not None:
        found |= {(i.code, i.access_analyzer_code) for i in validate_policy(parsed.policy, catalog)}
        context = AnalysisContext(frozenset({"111122223333"}), "o-example", catalog)
        found |= {(f.check.id, f.access_analyzer_code) for f in analyse(parsed.policy, context)}
    return found


@pytest.mark.parametrize(("aa_code", "kind", "text", "ours"), CASES, ids=[c[0] for c in CASES])
def test_sojourn_finds_what_access_analyzer_finds(
    catalog: ActionCatalog, aa_code: str, kind: PolicyKind, text: str, ours: str
) -> None:
    assert (ours, aa_code) in codes(catalog, kind, text)


def test_every_mapped_code_is_tested() -> None:
    tested = {case[0] for case in CASES}
    mapped = (
        {code for code in BY_CODE.values() if code} | set(EMPTY_ARRAY.values()) | set(VALUE_TYPE.values())
    )
    mapped |= {meta.aa_code for meta in ALL_CHECKS if meta.aa_code}
    assert mapped <= tested


NARROWED = [
    allow(action="iam:PassRole", **when("StringEquals", "iam:PassedToService", "lambda.amazonaws.com")),
    allow(
        action="iam:CreateServiceLinkedRole", **when("StringLike", "iam:AWSServiceName", "rds.amazonaws.com")
    ),
    allow(action="ec2:StartInstances", **when("StringEquals", "aws:ResourceTag/team", "blue")),
    allow(action="iam:PassRole", resource=ROLE),
    allow(
        action="iam:CreateUser",
        **when("StringEquals", "iam:PermissionsBoundary", "arn:aws:iam::111122223333:policy/b"),
    ),
]


@pytest.mark.parametrize("statement", NARROWED)
def test_what_access_analyzer_accepts_raises_nothing(
    catalog: ActionCatalog, statement: dict[str, Any]
) -> None:
    assert codes(catalog, IDENTITY, doc(statement)) == set()


@pytest.mark.parametrize(
    "operator", ["StringEqualsIfExists", "StringNotEquals", "StringNotLike", "ForAllValues:StringEquals"]
)
def test_passrole_and_create_slr_are_not_narrowed_by_conditions_that_admit_a_missing_key(
    catalog: ActionCatalog, operator: str
) -> None:
    passrole = allow(action="iam:PassRole", **when(operator, "iam:PassedToService", "lambda.amazonaws.com"))
    slr = allow(
        action="iam:CreateServiceLinkedRole", **when(operator, "iam:AWSServiceName", "rds.amazonaws.com")
    )
    assert ("passrole-on-all-roles", "PASS_ROLE_WITH_STAR_IN_RESOURCE") in codes(
        catalog, IDENTITY, doc(passrole)
    )
    assert ("create-slr-for-any-service", "CREATE_SLR_WITH_STAR_IN_RESOURCE") in codes(
        catalog, IDENTITY, doc(slr)
    )


def test_string_like_on_an_arn_key_is_reported_and_string_equals_is_not(catalog: ActionCatalog) -> None:
    boundary = "arn:aws:iam::111122223333:policy/b*"

    def on_create_user(operator: str) -> set[tuple[str, str | None]]:
        statement = allow(action="iam:CreateUser", **when(operator, "iam:PermissionsBoundary", boundary))
        return codes(catalog, IDENTITY, doc(statement))

    assert on_create_user("StringLike") == {
        ("operator-type-mismatch", "TYPE_MISMATCH"),
        ("condition-operator-type-mismatch", "TYPE_MISMATCH"),
    }
    assert on_create_user("ArnLike") == set()
    assert on_create_user("StringEquals") == {
        ("wildcard-without-like-operator", "WILDCARD_WITHOUT_LIKE_OPERATOR")
    }
    boundary = "arn:aws:iam::111122223333:policy/boundary"
    assert on_create_user("StringEquals") == set()


@pytest.mark.parametrize("prefix", ["codestar", "iotevents", "deeplens", "deepracer", "iot1click"])
def test_retired_services_are_warnings_with_a_hint(catalog: ActionCatalog, prefix: str) -> None:
    parsed = parse_policy(doc(allow(action=f"{prefix}:List*", resource=f"arn:aws:{prefix}:*:*:*")))
    assert parsed.policy is not None
    issues = validate_policy(parsed.policy, catalog)
    assert [(i.code, i.severity.value) for i in issues] == [("retired-service", "warning")] * 2
    assert "retired" in issues[0].message and "remove it" in issues[0].message


@pytest.mark.parametrize(
    ("kind", "limit"),
    [
        (PolicyKind.INLINE_USER, 2_048),
        (PolicyKind.INLINE_GROUP, 5_120),
        (PolicyKind.INLINE_ROLE, 10_240),
        (PolicyKind.MANAGED, 6_144),
        (PolicyKind.IDENTITY, 10_240),
    ],
)
def test_each_identity_kind_has_its_quota(kind: PolicyKind, limit: int) -> None:
    def sized(n: int) -> str:
        base = doc(allow(resource="arn:aws:s3:::b/"))
        return base.replace("b/", "b/" + "x" * (n - len("".join(base.split()))))

    assert parse_policy(sized(limit), kind=kind).ok
    over = parse_policy(sized(limit + 1), kind=kind)
    assert [(i.code, i.access_analyzer_code) for i in over.issues] == [
        ("quota", "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA")
    ]


def test_the_documented_table_and_these_cases_agree() -> None:
    import re
    from pathlib import Path

    table = (Path(__file__).resolve().parents[2] / "docs" / "policy-evaluation.md").read_text()
    documented: set[str] = set()
    rows = 0
    for line in table.splitlines():
        row = re.match(
            r"\| (?:error|warning|security warning|suggestion) \| `([^`]+)` \| .* \| (.*) \|$", line
        )
        if row:
            rows += 1
            if row.group(2).startswith("own test"):
                documented |= {code.strip() for code in row.group(1).split("/")}
    assert rows >= 100
    assert documented == {case[0] for case in CASES}
