"""Regular expressions that administrators write (ticket patterns, on-call person patterns), run by RE2.

Python's `re` backtracks: `(a+)+$` takes seconds on 24 characters. RE2 matches in time linear in the
text and refuses what it cannot do that way (back-references, look-around), so a pattern is checked when
the configuration is read and a clear error says what to change.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2

MAX_PATTERN_LENGTH = 1000
"""Characters in one pattern."""
MAX_PATTERN_MEMORY = 4 * 1024 * 1024
"""Bytes RE2 may use for one compiled pattern; a pattern that needs more is refused."""


class PatternError(ValueError):
    """A pattern RE2 cannot run; the message says why and what to write instead."""


class AdminPattern:
    """A compiled administrator-written pattern; matching takes time linear in the text."""

    __slots__ = ("_compiled", "text")

    def __init__(self, text: str, compiled: Any) -> None:
        self.text, self._compiled = text, compiled

    def matches_whole(self, value: str) -> bool:
        """Whether the pattern matches all of `value`."""
        return self._compiled.fullmatch(value) is not None

    def group_in(self, value: str, name: str) -> str | None:
        """The named group of the first match in `value`, or None when there is no match or no group."""
        found = self._compiled.search(value)
        if found is None:
            return None
        group = found.groupdict().get(name)
        return None if group is None else str(group)


@lru_cache(maxsize=256)
def compile_pattern(text: str) -> AdminPattern:
    """The pattern compiled by RE2, or PatternError naming the unsupported syntax."""
    if len(text) > MAX_PATTERN_LENGTH:
        raise PatternError(f"the pattern has {len(text):,} characters; write at most {MAX_PATTERN_LENGTH:,}")
    options = re2.Options()
    options.log_errors = False
    options.max_mem = MAX_PATTERN_MEMORY
    try:
        return AdminPattern(text, re2.compile(text, options))
    except re2.error as error:
        reason = error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else str(error)
        raise PatternError(
            f"{text!r} is not a pattern Sojourn can run ({reason}); patterns are RE2 syntax, which has no "
            "back-references or look-around, so matching always takes linear time"
        ) from None
