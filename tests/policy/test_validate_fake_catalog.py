"""validate_policy against a small in-memory catalogue: it needs only the ActionCatalogView protocol."""

from __future__ import annotations

import difflib
import json
from typing import ClassVar

from sojourn.policy import ActionCatalogView, Severity, parse_policy, validate_policy
from sojourn.policy.wildcards import action_matches


class FakeCatalog:
    """Three services, a handful of actions and keys: enough to drive every catalogue check."""

    ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:ListBucket", "ec2:RunInstances", "iam:PassRole")
    KEYS: ClassVar[dict[str, str]] = {
        "aws:sourceip": "IPAddress",
        "aws:tagkeys": "ArrayOfString",
        "aws:principaltag/team": "String",
        "s3:prefix": "String",
        "aws:securetransport": "Bool",
    }

    def knows_service(self, prefix: str) -> bool:
        return prefix.lower() in {a.split(":")[0] for a in self.ACTIONS}

    def knows_action(self, action: str) -> bool:
        return action.lower() in {a.lower() for a in self.ACTIONS}

    def suggest_action(self, action: str) -> str | None:
        close = difflib.get_close_matches(action, self.ACTIONS, n=1, cutoff=0.8)
        return close[0] if close else None

    def expand(self, pattern: str) -> frozenset[str]:
        return frozenset(a for a in self.ACTIONS if action_matches(pattern, a))

    def matches_any(self, pattern: str) -> bool:
        return bool(self.expand(pattern))

    def access_level(self, action: str) -> str | None:
        return None

    def arn_field_shapes(self, service: str) -> tuple[frozenset[str], frozenset[str]] | None:
        return (frozenset({""}), frozenset({""})) if service == "s3" else None

    def condition_key_type(self, key: str) -> str | None:
        lowered = key.lower()
        return self.KEYS.get(lowered) or ("String" if lowered.startswith("aws:principaltag/") else None)


def issues(statement: dict[str, object]) -> list[tuple[str, str, Severity]]:
    catalog: ActionCatalogView = FakeCatalog()
    text = json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=2)
    result = parse_policy(text, source="fake.json")
    assert result.ok and result.policy is not None, result.issues
    return [(i.code, i.path, i.severity) for i in validate_policy(result.policy, catalog)]


def test_unknown_action_names_the_closest_one_and_its_place() -> None:
    catalog = FakeCatalog()
    text = (
        '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow",\n'
        '    "Action": ["s3:GetObject", "s3:GetObjcet"], "Resource": "*"}]\n}'
    )
    result = parse_policy(text, source="fake.json")
    assert result.policy is not None
    [issue] = validate_policy(result.policy, catalog)
    assert str(issue) == (
        "fake.json:4:32: Statement[0].Action[1]: unknown action 's3:GetObjcet' (did you mean s3:GetObject?)"
    )


def test_unknown_service_and_patterns_that_match_nothing() -> None:
    found = issues(
        {"Effect": "Allow", "Action": ["s4:GetObject", "s3:Delete*", "S3:get*", "*"], "Resource": "*"}
    )
    assert found == [
        ("unknown-service", "Statement[0].Action[0]", Severity.ERROR),
        ("pattern-matches-nothing", "Statement[0].Action[1]", Severity.WARNING),
    ]


def test_not_action_is_checked_too() -> None:
    assert issues({"Effect": "Deny", "NotAction": "iam:PassRoel", "Resource": "*"}) == [
        ("unknown-action", "Statement[0].NotAction", Severity.ERROR)
    ]


def test_condition_keys_and_operator_types() -> None:
    found = issues(
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:SourceIp": "10.0.0.1", "aws:TagKeys": "env", "s3:prefx": "a"},
                "ForAnyValue:StringLike": {"aws:PrincipalTag/team": "b*"},
                "Bool": {"aws:SecureTransport": "true"},
                "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
            },
        }
    )
    base = "Statement[0].Condition"
    assert found == [
        ("operator-type-mismatch", f"{base}.StringEquals.aws:SourceIp", Severity.WARNING),
        ("multivalued-key-without-qualifier", f"{base}.StringEquals.aws:TagKeys", Severity.WARNING),
        ("unknown-condition-key", f"{base}.StringEquals.s3:prefx", Severity.WARNING),
        (
            "qualifier-on-single-valued-key",
            f"{base}.ForAnyValue:StringLike.aws:PrincipalTag/team",
            Severity.WARNING,
        ),
    ]


def test_without_a_catalogue_there_is_nothing_to_add() -> None:
    result = parse_policy(
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "x:Y", "Resource": "*"}}'
    )
    assert result.policy is not None
    assert validate_policy(result.policy, None) == ()
