"""The fast overlap search agrees with a plain cell-by-cell reference on random patterns."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sojourn.analysis.checks.resources import ANY, ONE, SEGMENT, patterns_overlap

TOKENS = st.sampled_from(["a", "b", "/", ":", ANY, SEGMENT, ONE])


def reference(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    """Does some string match both? Memoised recursion over (i, j), written for clarity, not speed."""
    stars = (ANY, SEGMENT)

    def fits(star: str, token: str) -> bool:
        return star == ANY or token == ONE or token not in ("/", ":")

    memo: dict[tuple[int, int], bool] = {}

    def go(i: int, j: int) -> bool:
        if (i, j) in memo:
            return memo[(i, j)]
        p = left[i] if i < len(left) else None
        q = right[j] if j < len(right) else None
        if (p is None and q is None) or (p in stars and go(i + 1, j)) or (q in stars and go(i, j + 1)):
            result = True
        elif p is None or q is None:
            result = False
        elif p in stars and q not in stars:
            result = fits(p, q) and go(i, j + 1)
        elif q in stars and p not in stars:
            result = fits(q, p) and go(i + 1, j)
        elif p in stars and q in stars:
            result = False
        else:
            result = (p == q or ONE in (p, q)) and go(i + 1, j + 1)
        memo[(i, j)] = result
        return result

    return go(0, 0)


@settings(max_examples=600, deadline=None)
@given(st.lists(TOKENS, max_size=9).map(tuple), st.lists(TOKENS, max_size=9).map(tuple))
def test_fast_overlap_agrees_with_the_reference(left: tuple[str, ...], right: tuple[str, ...]) -> None:
    assert patterns_overlap(left, right) == reference(left, right)


def test_known_cases() -> None:
    assert patterns_overlap(("a", ANY), ("a", "b", "/", "b"))
    assert not patterns_overlap(("a", SEGMENT), ("a", "/", "b"))
    assert patterns_overlap((SEGMENT, "/", ANY), ("b", "/", ANY))
