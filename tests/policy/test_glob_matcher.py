"""The string-operation matcher gives the regular expression's answer on random patterns and texts."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sojourn.policy.wildcards import LITERALS, action_matches, arn_matches, glob_matches, glob_regex

ALPHABET = ["*", "?", "a", "A", "b", "s", ":", "/", "-", *LITERALS, "$", ".", "ſ", "K", "İ", "\n"]
TEXT_ALPHABET = ["a", "A", "b", "B", "s", "S", ":", "/", "-", "*", "?", "$", ".", "k", "ſ", "K", "\n"]
patterns = st.lists(st.sampled_from(ALPHABET), max_size=12).map("".join)
texts = st.lists(st.sampled_from(TEXT_ALPHABET), max_size=12).map("".join)


def reference_arn(value: str, pattern: str) -> bool:
    """The segment-wise regular-expression matching that arn_matches replaces."""
    if pattern == "*":
        return True
    wanted, parts = pattern.split(":", 5), value.split(":", 5)
    if len(wanted) != 6 or len(parts) != 6:
        return False
    return all(glob_regex(w).fullmatch(p) is not None for w, p in zip(wanted, parts, strict=True))


@settings(max_examples=1500, deadline=None)
@given(patterns, texts, st.booleans())
@example("a*b*a", "aba", False)
@example("*\ue000*", "x*y", False)
@example("s", "ſ", True)
@example("k", "K", True)
def test_glob_matches_agrees_with_the_regex(pattern: str, text: str, ignore_case: bool) -> None:
    expected = glob_regex(pattern, ignore_case).fullmatch(text) is not None
    assert glob_matches(pattern, text, ignore_case) is expected


@settings(max_examples=800, deadline=None)
@given(patterns, texts)
def test_text_built_from_the_pattern_matches(pattern: str, filler: str) -> None:
    text = "".join(filler if ch == "*" else "x" if ch == "?" else LITERALS.get(ch, ch) for ch in pattern)
    assert glob_matches(pattern, text)
    assert action_matches(pattern, text.upper()) is (
        glob_regex(pattern, True).fullmatch(text.upper()) is not None
    )


arn_segments = st.lists(patterns, min_size=1, max_size=8).map(":".join)
arn_values = st.lists(texts, min_size=1, max_size=8).map(":".join)


@settings(max_examples=1500, deadline=None)
@given(arn_values, arn_segments)
@example("arn:aws:s3:::b:c", "arn:aws:s3:::b:c")
@example("arn:aws:s3:::b", "arn:aws:s3:::b:c")
@example("arn:aws:s3:::b:c", "arn:aws:s3:::b")
@example("arn:aws:s3:x::b", "arn:aws:s3:*::b")
def test_arn_matches_agrees_with_segment_regexes(value: str, pattern: str) -> None:
    assert arn_matches(value, pattern) is reference_arn(value, pattern)


@settings(max_examples=800, deadline=None)
@given(arn_segments, texts)
def test_arn_built_from_the_pattern_matches_as_the_reference_says(pattern: str, filler: str) -> None:
    value = "".join(filler if ch == "*" else "x" if ch == "?" else LITERALS.get(ch, ch) for ch in pattern)
    assert arn_matches(value, pattern) is reference_arn(value, pattern)


def test_regular_expressions_only_for_question_marks_and_unicode_case() -> None:
    assert glob_matches("s3:Get*Object*", "S3:GETBUCKETOBJECTACL", True)
    assert not glob_matches("s3:Get*Object*", "S3:GETBUCKETOBJECTACL")
    assert glob_matches("a.b+(c)*", "a.b+(c)d")
    assert not glob_matches("a.b", "axb")
    assert glob_matches("x\ue000\ue001\ue002", "x*?$")
    assert not glob_matches("x\ue000", "xy")
    assert re.fullmatch("s", "ſ", re.I) and action_matches("s3:*", "ſ3:GetObject")


def test_many_stars_and_a_question_mark_take_polynomial_time() -> None:
    """A backtracking regular expression needed 20 s for eight stars here; sixty stars now take no time."""
    pattern = "arn:aws:s3:::" + "*a" * 60 + "?"
    value = "arn:aws:s3:::" + "a" * 200 + "bb"
    assert arn_matches(value, pattern) is False
    assert arn_matches(value[:-1], pattern) is True
    assert glob_matches("*a" * 60 + "?", "a" * 200 + "bb") is False
    assert action_matches("s3:" + "*a" * 30 + "?", "s3:" + "a" * 100 + "bb") is False
