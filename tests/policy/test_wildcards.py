"""Wildcard and ARN matching: `*` and `?`, case rules, segment boundaries and literal stand-ins."""

from __future__ import annotations

import pytest

from sojourn.policy.variables import substitute
from sojourn.policy.wildcards import action_matches, arn_matches, glob_regex


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("s3:Get*", "s3:GetObject", True),
        ("S3:get*", "s3:GetObject", True),
        ("s3:Get?bject", "s3:GetObject", True),
        ("s3:Get?", "s3:GetObject", False),
        ("s3:*Tagging", "s3:PutBucketTagging", True),
        ("s3:*", "s3express:CreateSession", False),
        ("*", "iam:PassRole", True),
        ("s3:Get Object", "s3:Get Object", True),
        ("s3:GetObject", "s3:GetObjectAcl", False),
    ],
)
def test_action_patterns(pattern: str, action: str, expected: bool) -> None:
    assert action_matches(pattern, action) is expected


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("arn:aws:s3:::bucket/key", "arn:aws:s3:::bucket/*", True),
        ("arn:aws:s3:::bucket/a/b/c", "arn:aws:s3:::bucket/*", True),
        ("arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*", False),
        ("arn:aws:s3:::Bucket/key", "arn:aws:s3:::bucket/*", False),
        ("arn:aws:iam::111122223333:role/a:b", "arn:aws:iam::111122223333:role/*", True),
        ("arn:aws:sns:eu-west-1:111122223333:t", "arn:aws:sns:*:111122223333:t", True),
        ("arn:aws:sns:eu-west-1:111122223333:t", "arn:aws:sns:*:*:t", True),
        # a wildcard in one of the first five segments cannot swallow a colon
        ("arn:aws:sns:eu-west-1:111122223333:t", "arn:aws:*:t", False),
        ("arn:aws:sns:eu-west-1:111122223333:t", "arn:aws:sns:eu-west-?:111122223333:t", True),
        ("arn:aws:sns:eu-west-10:111122223333:t", "arn:aws:sns:eu-west-?:111122223333:t", False),
        ("anything at all", "*", True),
        ("not-an-arn", "arn:aws:s3:::b", False),
    ],
)
def test_arn_patterns(value: str, pattern: str, expected: bool) -> None:
    assert arn_matches(value, pattern) is expected


def test_regex_characters_in_patterns_are_literal() -> None:
    assert glob_regex("a.b+(c)").fullmatch("a.b+(c)")
    assert not glob_regex("a.b").fullmatch("axb")


def test_special_variables_stay_literal_inside_patterns() -> None:
    expanded = substitute("folder/${*}/${?}/${$}x", {}, pattern=True)
    assert expanded is not None
    assert glob_regex(expanded).fullmatch("folder/*/?/$x")
    assert not glob_regex(expanded).fullmatch("folder/abc/d/$x")
    assert substitute("a${*}b", {}) == "a*b"


def test_variables_resolve_from_single_values_or_defaults() -> None:
    context = {"aws:username": ("alice",), "aws:principaltag/team": ("blue", "red")}
    assert substitute("home/${aws:username}/*", context) == "home/alice/*"
    assert substitute("${aws:PrincipalTag/team}", context) is None
    assert substitute("${aws:PrincipalTag/dept, 'none'}", context) == "none"
    assert substitute("${aws:userid}", context) is None
