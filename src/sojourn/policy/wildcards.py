"""Wildcard matching for actions, resources and ARNs, compiled once and cached.

A pattern without `?` is matched as its `*`-separated parts (prefix, parts in order, suffix) with plain
string operations; one with `?` by a two-pointer walk that returns to the last star on a mismatch. Both
take at most len(pattern) x len(text) steps, whatever the input (a backtracking regular expression can
take exponential time on a pattern with many stars). A regular expression is used only for
case-insensitive matching of non-ASCII text, whose case rules only the regular expression engine applies
exactly (such action names are refused by the parser).
"""

from __future__ import annotations

import re
from functools import lru_cache

LITERALS = {"\ue000": "*", "\ue001": "?", "\ue002": "$"}
"""Stand-ins that policy variables ${*}, ${?} and ${$} leave in a pattern: they match the character itself."""

_STAND_INS = str.maketrans(LITERALS)

STAR, ONE = object(), object()
"""The tokens of a pattern's real wildcards (a stand-in's `*` or `?` is a plain character)."""


class Wild(tuple[object, ...]):
    """A pattern with `?` as tokens: STAR, ONE, or one literal character."""

    __slots__ = ()


Glob = tuple[str, ...] | Wild | re.Pattern[str]
"""A compiled pattern: its `*`-separated literal parts, its tokens, or a regular expression."""


@lru_cache(maxsize=65_536)
def glob_regex(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """`*` is any run of characters, `?` any one character; everything else is literal."""
    body = "".join(
        ".*" if ch == "*" else "." if ch == "?" else re.escape(LITERALS.get(ch, ch)) for ch in pattern
    )
    return re.compile(body, re.S | (re.I if ignore_case else 0))


@lru_cache(maxsize=65_536)
def compile_glob(pattern: str, ignore_case: bool = False) -> Glob:
    """The parts between the pattern's stars (lower case when ignoring case), or its regular expression."""
    if ignore_case and not pattern.isascii():
        return glob_regex(pattern, ignore_case)
    if "?" in pattern:
        text = pattern.lower() if ignore_case else pattern
        return Wild(STAR if ch == "*" else ONE if ch == "?" else LITERALS.get(ch, ch) for ch in text)
    if ignore_case:
        pattern = pattern.lower()
    elif not pattern.isascii():
        return tuple(part.translate(_STAND_INS) for part in pattern.split("*"))
    return tuple(pattern.split("*"))


def parts_match(parts: tuple[str, ...], text: str) -> bool:
    """Whether the text is the parts in order with anything between: the first a prefix, the last a suffix."""
    first = parts[0]
    if len(parts) == 1:
        return text == first
    last = parts[-1]
    end = len(text) - len(last)
    if end < len(first) or not text.startswith(first) or not text.endswith(last):
        return False
    at = len(first)
    for part in parts[1:-1]:
        at = text.find(part, at, end)
        if at < 0:
            return False
        at += len(part)
    return True


def wild_match(tokens: Wild, text: str) -> bool:
    """Whole-text match of a token pattern; on a mismatch the last star takes one more character."""
    t = p = 0
    star, resume = -1, 0
    size = len(tokens)
    while t < len(text):
        token = tokens[p] if p < size else None
        if token is STAR:
            star, resume = p, t
            p += 1
        elif token is not None and (token is ONE or token == text[t]):
            p += 1
            t += 1
        elif star >= 0:
            resume += 1
            p, t = star + 1, resume
        else:
            return False
    while p < size and tokens[p] is STAR:
        p += 1
    return p == size


def matches_glob(glob: Glob, text: str) -> bool:
    if isinstance(glob, re.Pattern):
        return glob.fullmatch(text) is not None
    if isinstance(glob, Wild):
        return wild_match(glob, text)
    return parts_match(glob, text)


def glob_matches(pattern: str, text: str, ignore_case: bool = False) -> bool:
    """Whether the whole text matches the pattern: the same answer as glob_regex(...).fullmatch."""
    compiled = compile_glob(pattern, ignore_case)
    if isinstance(compiled, re.Pattern):
        return compiled.fullmatch(text) is not None
    if ignore_case:
        if not text.isascii():
            return glob_regex(pattern, True).fullmatch(text) is not None
        text = text.lower()
    return matches_glob(compiled, text)


def action_matches(pattern: str, action: str) -> bool:
    """Actions match case-insensitively; white space and commas are literal and so match nothing real."""
    return glob_matches(pattern, action, True)


@lru_cache(maxsize=65_536)
def _arn_parts(pattern: str) -> tuple[str, int, tuple[tuple[int, Glob], ...]] | None:
    """The literal segments before the first wildcard (with their colons), how many segments follow, and
    the globs those must match, the last segment's first (it tells resources apart), bare stars left out.
    """
    parts = pattern.split(":", 5)
    if len(parts) != 6:
        return None
    globs = [compile_glob(part) for part in parts]
    literal = [
        glob[0] if isinstance(glob, tuple) and not isinstance(glob, Wild) and len(glob) == 1 else None
        for glob in globs
    ]
    fixed = literal.index(None) if None in literal else 6
    head = "".join(f"{text}:" for text in literal[:fixed])
    rest = [(index - fixed, glob) for index, glob in enumerate(globs) if index >= fixed and glob != ("", "")]
    return head, 6 - fixed, tuple(reversed(rest))


def arn_matches(value: str, pattern: str) -> bool:
    """Segment by segment: wildcards stay inside one of the first five; a pattern with fewer never matches."""
    if pattern == "*":
        return True
    compiled = _arn_parts(pattern)
    if compiled is None:
        return False
    head, count, globs = compiled
    if not count:
        return value == head[:-1]
    if not value.startswith(head):
        return False
    parts = value[len(head) :].split(":", count - 1)
    if len(parts) != count:
        return False
    return all(matches_glob(glob, parts[index]) for index, glob in globs)
