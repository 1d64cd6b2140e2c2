"""Redundant entries found with the literal-prefix shortcut are those found by matching every pair."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sojourn.analysis.checks.common import has_wildcard
from sojourn.analysis.checks.redundancy import Matcher, covers, redundant
from sojourn.policy.wildcards import LITERALS, action_matches, arn_matches

ACTION_PIECES = ["s3", "S3", "iam", ":", "Get", "get", "*", "?", "Object", "\u017f", *LITERALS]
ARN_PIECES = ["arn", ":", "aws", "s3", "*", "?", "b", "B", "/", "x", "\ue000"]
actions = st.lists(st.lists(st.sampled_from(ACTION_PIECES), max_size=5).map("".join), max_size=7)
arns = st.lists(st.lists(st.sampled_from(ARN_PIECES), max_size=12).map("".join), max_size=7)


def _service(entry: str) -> str:
    parts = entry.lower().split(":")
    index = 2 if parts[0] == "arn" else 0
    return parts[index] if len(parts) > index else entry.lower()


def reference(items: list[str], matches: Matcher) -> list[tuple[str, str]]:
    found = []
    for i, item in enumerate(items):
        for j, other in enumerate(items):
            service = _service(other)
            candidate = item.lower() == other.lower() or (
                has_wildcard(other) and (service == _service(item) or has_wildcard(service))
            )
            if j == i or not candidate:
                continue
            if covers(matches, other, item) and (j < i or not covers(matches, item, other)):
                found.append((item, other))
                break
    return found


def _resource_matches(pattern: str, value: str) -> bool:
    return value == pattern or arn_matches(value, pattern)


@settings(max_examples=1500, deadline=None)
@given(actions)
def test_actions(items: list[str]) -> None:
    assert list(redundant(tuple(items), action_matches, True)) == reference(items, action_matches)


@settings(max_examples=1500, deadline=None)
@given(arns)
def test_resources(items: list[str]) -> None:
    items = [f"arn:aws:s3:::{item}" if len(item) % 3 else item for item in items]
    expected = reference(items, _resource_matches)
    assert list(redundant(tuple(items), _resource_matches, False)) == expected
