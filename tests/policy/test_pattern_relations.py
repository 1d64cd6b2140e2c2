"""A policy's resource pattern against a request's pattern: overlap is exact, cover is sound."""

from __future__ import annotations

from functools import cache
from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from sojourn.policy.pattern_relations import resource_covers, resource_overlaps
from sojourn.policy.wildcards import arn_matches

HEAD = "arn:aws:s3:::"
patterns = st.text(alphabet="ab*?", max_size=4)


@cache
def texts(longest: int) -> tuple[str, ...]:
    return tuple("".join(p) for n in range(longest + 1) for p in product("ab", repeat=n))


@cache
def matching(pattern: str, longest: int) -> frozenset[str]:
    return frozenset(t for t in texts(longest) if arn_matches(HEAD + t, HEAD + pattern))


@settings(max_examples=200, deadline=None)
@given(patterns, patterns)
def test_overlap_is_exactly_a_common_resource(policy: str, request: str) -> None:
    # a shortest common string is never longer than the two patterns together
    common = matching(policy, 8) & matching(request, 8)
    assert resource_overlaps(HEAD + policy, HEAD + request) == bool(common)


@settings(max_examples=200, deadline=None)
@given(patterns, patterns)
def test_cover_never_claims_a_resource_the_policy_misses(policy: str, request: str) -> None:
    if resource_covers(HEAD + policy, HEAD + request):
        assert matching(request, 7) <= matching(policy, 7)


@given(patterns, st.text(alphabet="ab", max_size=5))
def test_on_a_plain_resource_both_are_ordinary_matching(policy: str, resource: str) -> None:
    matched = arn_matches(HEAD + resource, HEAD + policy)
    assert resource_covers(HEAD + policy, HEAD + resource) == matched
    assert resource_overlaps(HEAD + policy, HEAD + resource) == matched


def test_cover_after_normalising_runs_of_wildcards() -> None:
    assert resource_covers(HEAD + "?*", HEAD + "*?")
    assert resource_covers(HEAD + "a*", HEAD + "a?*b")
    assert not resource_covers(HEAD + "a?", HEAD + "a*")


def test_segments_keep_their_wildcards() -> None:
    request = "arn:aws:lambda:*:111122223333:function:*"
    assert resource_overlaps("arn:aws:lambda:eu-west-1:111122223333:function:etl-*", request)
    assert not resource_overlaps("arn:aws:lambda:eu-west-1:444455556666:function:*", request)
    assert resource_covers("arn:aws:lambda:*:*:function:*", request)
    assert not resource_covers("arn:aws:lambda:eu-*:111122223333:function:*", request)
    assert resource_overlaps("arn:aws:s3:::*", "*") and not resource_covers("arn:aws:s3:::*", "*")
    assert resource_covers("*", "*") and not resource_overlaps("s3-bucket", "*")


def test_variable_stand_ins_are_literal() -> None:
    assert not resource_overlaps(HEAD + "a\ue000", HEAD + "ab")
    assert resource_overlaps(HEAD + "a\ue000", HEAD + "a*")
