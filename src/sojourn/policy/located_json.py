"""A JSON reader that keeps where every key and value was written, so errors can name line and column."""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from typing import Any

from sojourn.inputs.bounded_json import MAX_DEPTH, MAX_INTEGER_DIGITS

_LEXEME = re.compile(
    r'"(?:[^"\\\x00-\x1f]|\\.)*"|[{}\[\],:]|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?'
    r"|true|false|null|\S",
)
ARRAYS = (list, tuple)
"""What a decoded document may hold a JSON array in."""


class JsonSyntaxError(Exception):
    """Malformed JSON at a character offset."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message, self.offset = message, offset


class LineIndex:
    """Offsets to 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1


class Positions:
    """The offsets of the keys and values inside each object and array of a parsed text.

    Containers are looked up by identity, so the tables are only valid beside the values they were
    made with. A value not found (no text at all, or a container made later) is at offset 0.
    """

    __slots__ = ("_items", "_keys", "_members", "root")

    def __init__(self) -> None:
        self.root = 0
        self._keys: dict[int, dict[str, int]] = {}
        self._members: dict[int, dict[str, int]] = {}
        self._items: dict[int, list[int]] = {}

    def new_object(self, obj: dict[str, object]) -> tuple[dict[str, int], dict[str, int]]:
        """Empty tables for the key and value offsets of an object being parsed."""
        keys: dict[str, int] = {}
        members: dict[str, int] = {}
        self._keys[id(obj)], self._members[id(obj)] = keys, members
        return keys, members

    def new_array(self, array: list[object]) -> list[int]:
        """An empty table for the item offsets of an array being parsed."""
        offsets = self._items[id(array)] = []
        return offsets

    def key_at(self, obj: object, key: str) -> int:
        """Where the key of obj[key] was written."""
        offsets = self._keys.get(id(obj))
        return 0 if offsets is None else offsets[key]

    def member_at(self, obj: object, key: str) -> int:
        """Where the value of obj[key] was written."""
        offsets = self._members.get(id(obj))
        return 0 if offsets is None else offsets[key]

    def items_at(self, array: Sequence[object]) -> Sequence[int]:
        """Where each item of the array was written."""
        offsets = self._items.get(id(array))
        return (0,) * len(array) if offsets is None else offsets


def parse_located(text: str) -> tuple[object, Positions]:
    """Parse JSON text into plain values and their Positions; raise JsonSyntaxError at the first problem."""
    lexemes = [(m.group(), m.start()) for m in _LEXEME.finditer(text)]
    parser = _Parser(lexemes, len(text))
    lexeme, offset = parser.next("a value")
    parser.positions.root = offset
    value = parser.value(lexeme, offset)
    if parser.index < len(lexemes):
        raise JsonSyntaxError(
            f"unexpected {lexemes[parser.index][0]!r} after the document", lexemes[parser.index][1]
        )
    return value, parser.positions


class _Parser:
    def __init__(self, lexemes: list[tuple[str, int]], end: int) -> None:
        self.lexemes, self.end, self.index, self.depth = lexemes, end, 0, 0
        self.positions = Positions()

    def next(self, expected: str) -> tuple[str, int]:
        if self.index >= len(self.lexemes):
            raise JsonSyntaxError(f"the document ends where {expected} was expected", self.end)
        lexeme = self.lexemes[self.index]
        self.index += 1
        return lexeme

    def value(self, lexeme: str, offset: int) -> object:
        first = lexeme[0]
        if first in "{[":
            return self._nested(first, offset)
        if first == '"':
            return _string(lexeme, offset)
        if lexeme in ("true", "false", "null") or first in "-0123456789":
            if len(lexeme) > MAX_INTEGER_DIGITS:
                raise JsonSyntaxError(f"a number of {len(lexeme)} characters; no valid input has one", offset)
            try:
                return json.loads(lexeme)
            except json.JSONDecodeError as error:
                raise JsonSyntaxError(f"bad number {lexeme!r}", offset) from error
        raise JsonSyntaxError(f"unexpected {lexeme!r}; expected a value", offset)

    def _nested(self, first: str, offset: int) -> object:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise JsonSyntaxError(f"arrays and objects are nested more than {MAX_DEPTH} levels deep", offset)
        value = self._object() if first == "{" else self._array()
        self.depth -= 1
        return value

    def _object(self) -> dict[str, object]:
        result: dict[str, object] = {}
        keys, members = self.positions.new_object(result)
        lexeme, offset = self.next("a key or '}'")
        if lexeme == "}":
            return result
        while True:
            if lexeme[0] != '"':
                raise JsonSyntaxError(f"expected a quoted key, found {lexeme!r}", offset)
            key = _string(lexeme, offset)
            if key in result:
                raise JsonSyntaxError(f"duplicate key {key!r}", offset)
            colon, colon_offset = self.next("':'")
            if colon != ":":
                raise JsonSyntaxError(f"expected ':' after the key, found {colon!r}", colon_offset)
            keys[key] = offset
            lexeme, offset = self.next("a value")
            members[key] = offset
            result[key] = self.value(lexeme, offset)
            lexeme, offset = self.next("',' or '}'")
            if lexeme == "}":
                return result
            if lexeme != ",":
                raise JsonSyntaxError(f"expected ',' or '}}', found {lexeme!r}", offset)
            lexeme, offset = self.next("a key")

    def _array(self) -> list[object]:
        items: list[object] = []
        offsets = self.positions.new_array(items)
        if self.index < len(self.lexemes) and self.lexemes[self.index][0] == "]":
            self.index += 1
            return items
        while True:
            lexeme, offset = self.next("a value")
            offsets.append(offset)
            items.append(self.value(lexeme, offset))
            lexeme, offset = self.next("',' or ']'")
            if lexeme == "]":
                return items
            if lexeme != ",":
                raise JsonSyntaxError(f"expected ',' or ']', found {lexeme!r}", offset)


def _string(lexeme: str, offset: int) -> str:
    if len(lexeme) < 2 or lexeme[-1] != '"':
        raise JsonSyntaxError("unterminated string or control character inside a string", offset)
    if "\\" not in lexeme:
        return lexeme[1:-1]
    try:
        value: str = json.loads(lexeme)
    except json.JSONDecodeError as error:
        raise JsonSyntaxError(f"bad escape in string: {error.msg}", offset) from error
    return value


def members(obj: dict[Any, object]) -> dict[str, object]:
    """An object's members by string key; a decoded document may have other keys, read as str(key)."""
    if all(type(key) is str for key in obj):
        return obj
    return {str(key): value for key, value in obj.items()}


def shown(value: object) -> object:
    """A decoded value as JSON data (tuples as lists, keys as strings), for messages."""
    if isinstance(value, dict):
        return {str(key): shown(item) for key, item in value.items()}
    if isinstance(value, ARRAYS):
        return [shown(item) for item in value]
    return value


def kind_of(value: object) -> str:
    """What a decoded value is, in the words of a message: "an object", "a list", "a boolean", ..."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, ARRAYS):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    return "null" if value is None else "a number"
