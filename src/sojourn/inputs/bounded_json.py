"""JSON text to plain values within limits of size, nesting and number length, or one error with a place.

Python's decoder recurses once per nesting level and converts integers of any length, so a small hostile
file can exhaust the stack or raise deep inside it. Here the nesting is measured before decoding, so no
decoder ever goes deeper than `max_depth`, and every failure is a `JsonInputError` with line and column.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate

MAX_DEPTH = 64
"""Deepest nesting of arrays and objects accepted; IAM policies need 5 levels, snapshots about 12."""
POLICY_MAX_BYTES = 1024 * 1024
"""A policy file; IAM's largest policy (a KMS key policy) is 32 KB."""
DATA_MAX_BYTES = 128 * 1024 * 1024
"""A snapshot, a saved authorization-details answer or a saved plan."""
MAX_INTEGER_DIGITS = 4300
"""Python's own limit for converting digits to an integer (sys.get_int_max_str_digits)."""

_NOT_NESTING = re.compile(r'(?:"[^"\\]*(?:\\.[^"\\]*)*"|[^\[\]{}"]+)+', re.DOTALL)
"""Strings and everything else that is not a bracket, in one pass (an unterminated string's quote stays)."""
_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_LONG_INTEGER = re.compile(rf"-?\d{{{MAX_INTEGER_DIGITS + 1},}}")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class JsonInputError(ValueError):
    """JSON text that is malformed or past a limit; `line` and `column` are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int = 1, code: str = "json-syntax") -> None:
        super().__init__(f"line {line}, column {column}: {message}")
        self.message, self.line, self.column, self.code = message, line, column, code


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based (line, column) of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def check_size(size: int, limit: int, what: str) -> None:
    """Refuse text of `size` bytes past `limit`, before anything is decoded."""
    if size > limit:
        raise JsonInputError(
            f"{what} is {_megabytes(size)}; more than the {_megabytes(limit)} Sojourn reads, refused unread",
            code="too-large",
        )


def nesting_error(text: str, max_depth: int) -> JsonInputError | None:
    """An error at the first bracket nested deeper than `max_depth`, or None; strings do not count."""
    brackets = _NOT_NESTING.sub("", text).replace('"', "")
    if not brackets or max(accumulate(map(_STEP.__getitem__, brackets))) <= max_depth:
        return None
    depth = 0
    for match in _BRACKET.finditer(text):
        token = match.group()
        if token[0] == '"':
            continue
        depth += _STEP[token]
        if depth > max_depth:
            line, column = position(text, match.start())
            return JsonInputError(
                f"arrays and objects are nested more than {max_depth} levels deep, past what Sojourn reads; "
                "no policy, snapshot or plan is nested so deeply",
                line,
                column,
                "too-deep",
            )
    return None


def load_json(text: str, *, max_depth: int = MAX_DEPTH, max_bytes: int = DATA_MAX_BYTES) -> object:
    """Decode JSON text within the limits; raise JsonInputError saying where and what to change."""
    check_size(len(text), max_bytes, "the text")
    too_deep = nesting_error(text, max_depth)
    if too_deep is not None:
        raise too_deep
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise JsonInputError(f"invalid JSON: {error.msg}", error.lineno, error.colno) from None
    except JsonInputError as error:
        raise _placed(text, error.message, _constant_offset(text), "not-json") from None
    except ValueError:
        long_number = _LONG_INTEGER.search(text)
        offset = long_number.start() if long_number else 0
        raise _placed(
            text,
            f"a number has more than {MAX_INTEGER_DIGITS} digits, past what Sojourn reads; "
            "write it as a string",
            offset,
            "long-number",
        ) from None
    except RecursionError:
        raise JsonInputError(
            "the document is nested too deeply for the space left on the stack; flatten it", code="too-deep"
        ) from None


def _refuse_constant(name: str) -> object:
    raise JsonInputError(f"{name} is not a JSON value; write a number or a string")


def _constant_offset(text: str) -> int:
    found = re.search(r"-?\b(?:NaN|Infinity)\b", text)
    return found.start() if found else 0


def _placed(text: str, message: str, offset: int, code: str) -> JsonInputError:
    line, column = position(text, offset)
    return JsonInputError(message, line, column, code)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB" if size >= 1024 * 1024 else f"{size:,} bytes"
