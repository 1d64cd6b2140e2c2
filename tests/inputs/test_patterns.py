"""Administrator-written patterns run in linear time (RE2) or are refused, with what to write instead."""

from __future__ import annotations

import re
import time

import pytest

from sojourn.inputs.patterns import PatternError, compile_pattern


def test_a_catastrophic_pattern_matches_100000_characters_at_once() -> None:
    pattern = compile_pattern(r"(a+)+$")
    started = time.monotonic()
    assert not pattern.matches_whole("a" * 100_000 + "!")
    assert pattern.matches_whole("a" * 100_000)
    assert time.monotonic() - started < 1


def test_re_would_backtrack_on_the_same_pattern() -> None:
    """The reason for RE2: Python's re needs exponential time (here 2**18 steps is already measurable)."""
    started = time.monotonic()
    assert re.fullmatch(r"(a+)+$", "a" * 18 + "!") is None
    backtracking = time.monotonic() - started
    started = time.monotonic()
    assert not compile_pattern(r"(a+)+$").matches_whole("a" * 18 + "!")
    assert time.monotonic() - started < backtracking


@pytest.mark.parametrize(
    "text, reason",
    [(r"(a)\1", "invalid escape"), (r"(?=JIRA)", "invalid perl operator"), (r"[A-Z", "missing ]")],
)
def test_syntax_re2_cannot_run_is_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(PatternError, match=re.escape(reason)) as caught:
        compile_pattern(text)
    assert "no back-references or look-around" in str(caught.value)


def test_a_pattern_past_the_length_limit_is_refused() -> None:
    with pytest.raises(PatternError, match="write at most 1,000"):
        compile_pattern("a" * 1001)


def test_a_named_group_is_found() -> None:
    assert compile_pattern(r"on call: (?P<person>\w+)").group_in("Primary on call: bob", "person") == "bob"
    assert compile_pattern(r"on call: (?P<person>\w+)").group_in("nobody", "person") is None
