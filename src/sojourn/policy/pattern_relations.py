"""How a policy's resource pattern relates to a request whose resource is itself a pattern.

A request for `arn:aws:s3:::bucket/*` asks about some resource matching it. An Allow applies when its
pattern could match one of those resources (the patterns overlap); a Deny only when it matches every one
of them (its pattern covers the request's). Both are decided segment by segment as `arn_matches` does:
a wildcard in the first five ARN segments stays inside its segment, the last may span colons.
"""

from __future__ import annotations

from functools import lru_cache

from sojourn.policy.wildcards import LITERALS

STAR, ONE = "\x00*", "\x00?"
"""Tokens of a real wildcard; every other token is one literal character."""

Tokens = tuple[str, ...]


@lru_cache(maxsize=16_384)
def _tokens(segment: str) -> Tokens:
    """Wildcards as tokens, a run of them normalised to its `?`s then one `*` (the same set of strings)."""
    out: list[str] = []
    ones = 0
    star = False
    for ch in segment + "\x01":
        if ch == "*":
            star = True
        elif ch == "?":
            ones += 1
        else:
            out += [ONE] * ones + ([STAR] if star else [])
            ones, star = 0, False
            if ch != "\x01":
                out.append(LITERALS.get(ch, ch))
    return tuple(out)


def _tokens_overlap(a: Tokens, b: Tokens) -> bool:
    """Whether some string matches both: a walk over pairs of positions (at most len(a) x len(b))."""
    seen = {(0, 0)}
    todo = [(0, 0)]
    end = (len(a), len(b))
    while todo:
        i, j = todo.pop()
        if (i, j) == end:
            return True
        x = a[i] if i < len(a) else None
        y = b[j] if j < len(b) else None
        steps = []
        if x == STAR:
            steps.append((i + 1, j))
            if y is not None and y != STAR:
                steps.append((i, j + 1))
        if y == STAR:
            steps.append((i, j + 1))
            if x is not None and x != STAR:
                steps.append((i + 1, j))
        if x is not None and y is not None and STAR not in (x, y) and (x == y or ONE in (x, y)):
            steps.append((i + 1, j + 1))
        for step in steps:
            if step not in seen:
                seen.add(step)
                todo.append(step)
    return False


def _tokens_cover(general: Tokens, specific: Tokens) -> bool:
    """Whether every string matching `specific` matches `general`: `general` must match `specific` read as
    text in which a `*` can only be taken by a `*` and a `?` by a `?` or a `*` (sound; exact for the
    patterns policies use)."""
    reach = {0}
    for token in specific:
        following: set[int] = set()
        for i in _closure(general, reach):
            x = general[i] if i < len(general) else None
            if x == STAR:
                following.add(i)
            elif x is not None and (x == token or (x == ONE and token != STAR)):
                following.add(i + 1)
        if not following:
            return False
        reach = following
    return len(general) in _closure(general, reach)


def _closure(tokens: Tokens, positions: set[int]) -> set[int]:
    """The positions reachable by letting stars match nothing."""
    out = set(positions)
    for i in sorted(positions):
        while i < len(tokens) and tokens[i] == STAR:
            i += 1
            out.add(i)
    return out


def _segments(pattern: str) -> list[str] | None:
    parts = pattern.split(":", 5)
    return parts if len(parts) == 6 else None


def _every_resource(pattern: str) -> bool:
    return pattern != "" and set(pattern) == {"*"}


def resource_overlaps(policy_pattern: str, request_pattern: str) -> bool:
    """Whether some resource matches both the policy's pattern and the request's."""
    if _every_resource(policy_pattern):
        return True
    policy = _segments(policy_pattern)
    if policy is None:
        return False
    if _every_resource(request_pattern):
        return True
    request = _segments(request_pattern)
    if request is None:
        return _tokens_overlap(_tokens(policy_pattern), _tokens(request_pattern))
    return all(_tokens_overlap(_tokens(p), _tokens(r)) for p, r in zip(policy, request, strict=True))


def resource_covers(policy_pattern: str, request_pattern: str) -> bool:
    """Whether every resource matching the request's pattern matches the policy's."""
    if _every_resource(policy_pattern):
        return True
    policy = _segments(policy_pattern)
    if policy is None or _every_resource(request_pattern):
        return False
    request = _segments(request_pattern)
    if request is None:
        return _tokens_cover(_tokens(policy_pattern), _tokens(request_pattern))
    return all(_tokens_cover(_tokens(p), _tokens(r)) for p, r in zip(policy, request, strict=True))
