"""Wildcard matching for actions, resources and ARNs, compiled once and cached."""

from __future__ import annotations

import re
from functools import lru_cache

LITERALS = {"\ue000": "*", "\ue001": "?", "\ue002": "$"}
"""Stand-ins that policy variables ${*}, ${?} and ${$} leave in a pattern: they match the character itself."""


@lru_cache(maxsize=65_536)
def glob_regex(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """`*` is any run of characters, `?` any one character; everything else is literal."""
    body = "".join(
        ".*" if ch == "*" else "." if ch == "?" else re.escape(LITERALS.get(ch, ch)) for ch in pattern
    )
    return re.compile(body, re.S | (re.I if ignore_case else 0))


def action_matches(pattern: str, action: str) -> bool:
    """Actions match case-insensitively; white space and commas are literal and so match nothing real."""
    return glob_regex(pattern, True).fullmatch(action) is not None


@lru_cache(maxsize=65_536)
def _arn_parts(pattern: str) -> tuple[re.Pattern[str], ...] | None:
    parts = pattern.split(":", 5)
    if len(parts) != 6:
        return None
    return tuple(glob_regex(part) for part in parts)


def arn_matches(value: str, pattern: str) -> bool:
    """Segment by segment: wildcards stay inside one of the first five; a pattern with fewer never matches."""
    if pattern == "*":
        return True
    compiled = _arn_parts(pattern)
    if compiled is None:
        return False
    parts = value.split(":", 5)
    if len(parts) != 6:
        return False
    return all(regex.fullmatch(part) is not None for regex, part in zip(compiled, parts, strict=True))
