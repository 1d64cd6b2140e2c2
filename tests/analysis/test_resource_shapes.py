"""The string-level fast paths of action-resource-mismatch agree with the regular expression and the DP."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sojourn.analysis.checks.common import same_service_possible
from sojourn.analysis.checks.resources import (
    SEGMENT_VARIABLES,
    _tokens,
    fits_type,
    patterns_overlap,
    reads_as_type,
)

PIECES = [
    "a",
    "B",
    "s3",
    "-",
    "/",
    "/a",
    ":",
    "*",
    "?",
    "${Region}",
    "${BucketName}/",
    "${BucketName}",
    "${Id}",
]
POLICY_PIECES = ["a", "B", "s3", "-", "/", "b/", ":", "*", "?", "${aws:username}", "${*}", "\u00e9", "${"]
type_segments = st.lists(st.sampled_from(PIECES), max_size=4).map("".join)
policy_segments = st.lists(st.sampled_from(POLICY_PIECES), max_size=4).map("".join)
type_arns = st.lists(type_segments, min_size=1, max_size=7).map(lambda s: "arn:${Partition}:" + ":".join(s))
policy_arns = st.lists(policy_segments, min_size=1, max_size=7).map(lambda s: "arn:aws:" + ":".join(s))
free_text = st.lists(st.sampled_from([*POLICY_PIECES, "arn"]), max_size=10).map("".join)


def literal_reading(resource: str, arn: str) -> bool:
    """The overlap DP between the resource read literally (every character a letter) and the type."""
    return patterns_overlap(tuple(resource.lower()), _tokens(arn, SEGMENT_VARIABLES))


def reference(resource: str, arn: str) -> bool:
    """The literal reading, then the overlap DP over every token."""
    if literal_reading(resource, arn):
        return True
    mine, theirs = _tokens(resource, frozenset()), _tokens(arn, SEGMENT_VARIABLES)
    return same_service_possible(resource, arn, index=2) and patterns_overlap(mine, theirs)


@settings(max_examples=3000, deadline=None)
@given(policy_arns | free_text, type_arns)
@example("arn:aws:s3:::bucket/*", "arn:${Partition}:s3:::${BucketName}")
@example("arn:aws:s3:::bucket*", "arn:${Partition}:s3:::${BucketName}/${ObjectName}")
@example("arn:aws:ec2:*:*:fleet/*", "arn:${Partition}:ec2:${Region}:${Account}:security-group-rule/${Id}")
@example("arn:aws:logs:*:*:*", "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}")
@example("arn:aws:s3:::b/x/*/y", "arn:${Partition}:s3:::${BucketName}/${ObjectName}/y")
@example("arn:aws:s3:::b/x*", "arn:${Partition}:s3:::${BucketName}/ab${Id}")
@example("arn:aws:s3:::b/xy", "arn:${Partition}:s3:::${BucketName}/ab${Id}")
@example("arn:aws:s3:::*a", "arn:${Partition}:s3:::${Id}b")
def test_fast_paths_agree_with_the_reference(resource: str, arn: str) -> None:
    assert fits_type(resource, arn) is reference(resource, arn)


@settings(max_examples=1500, deadline=None)
@given(type_arns, st.sampled_from(["", "x", "a/b", "a:b", "*"]))
def test_a_resource_written_from_the_type_fits_it(arn: str, filler: str) -> None:
    resource = arn.replace("${Partition}", "aws")
    for variable in ("${Region}", "${Account}", "${BucketName}", "${Id}"):
        resource = resource.replace(variable, filler)
    assert fits_type(resource, arn) is reference(resource, arn)


@settings(max_examples=1500, deadline=None)
@given(policy_arns | free_text, type_arns)
def test_the_literal_reading_agrees_with_the_dp(resource: str, arn: str) -> None:
    assert reads_as_type(resource.lower(), arn) is literal_reading(resource, arn)


def test_the_literal_reading_takes_linear_time_on_a_long_resource() -> None:
    """A backtracking regular expression needed minutes for this; the position set needs milliseconds."""
    arn = "arn:${Partition}:s3:::" + "${Id}/" * 12 + "x"
    resource = "arn:aws:s3:::" + "a/" * 400 + "y"
    assert reads_as_type(resource, arn) is False
    assert reads_as_type(resource[:-1] + "x", arn) is True
