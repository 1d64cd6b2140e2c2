"""A JSON reader that keeps the offset of every value, so errors can name line and column."""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field

_LEXEME = re.compile(
    r'"(?:[^"\\\x00-\x1f]|\\.)*"|[{}\[\],:]|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?'
    r"|true|false|null|\S",
)


@dataclass(slots=True)
class Node:
    """A JSON value with its start offset; objects keep key offsets too."""

    value: object
    offset: int
    keys: dict[str, int] = field(default_factory=dict)


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


def parse_located(text: str) -> Node:
    """Parse JSON text into Nodes; raise JsonSyntaxError with the offset of the first problem."""
    lexemes = [(m.group(), m.start()) for m in _LEXEME.finditer(text)]
    parser = _Parser(lexemes, len(text))
    node = parser.value()
    if parser.index < len(lexemes):
        raise JsonSyntaxError(
            f"unexpected {lexemes[parser.index][0]!r} after the document", lexemes[parser.index][1]
        )
    return node


class _Parser:
    def __init__(self, lexemes: list[tuple[str, int]], end: int) -> None:
        self.lexemes, self.end, self.index = lexemes, end, 0

    def _next(self, expected: str) -> tuple[str, int]:
        if self.index >= len(self.lexemes):
            raise JsonSyntaxError(f"the document ends where {expected} was expected", self.end)
        lexeme = self.lexemes[self.index]
        self.index += 1
        return lexeme

    def value(self) -> Node:
        lexeme, offset = self._next("a value")
        first = lexeme[0]
        if first == "{":
            return self._object(offset)
        if first == "[":
            return self._array(offset)
        if first == '"':
            return Node(_string(lexeme, offset), offset)
        if lexeme in ("true", "false", "null") or first in "-0123456789":
            try:
                return Node(json.loads(lexeme), offset)
            except json.JSONDecodeError as error:
                raise JsonSyntaxError(f"bad number {lexeme!r}", offset) from error
        raise JsonSyntaxError(f"unexpected {lexeme!r}; expected a value", offset)

    def _object(self, start: int) -> Node:
        result: dict[str, Node] = {}
        node = Node(result, start)
        lexeme, offset = self._next("a key or '}'")
        if lexeme == "}":
            return node
        while True:
            if lexeme[0] != '"':
                raise JsonSyntaxError(f"expected a quoted key, found {lexeme!r}", offset)
            key = _string(lexeme, offset)
            if key in result:
                raise JsonSyntaxError(f"duplicate key {key!r}", offset)
            colon, colon_offset = self._next("':'")
            if colon != ":":
                raise JsonSyntaxError(f"expected ':' after the key, found {colon!r}", colon_offset)
            node.keys[key] = offset
            result[key] = self.value()
            lexeme, offset = self._next("',' or '}'")
            if lexeme == "}":
                return node
            if lexeme != ",":
                raise JsonSyntaxError(f"expected ',' or '}}', found {lexeme!r}", offset)
            lexeme, offset = self._next("a key")

    def _array(self, start: int) -> Node:
        items: list[Node] = []
        if self.index < len(self.lexemes) and self.lexemes[self.index][0] == "]":
            self.index += 1
            return Node(items, start)
        while True:
            items.append(self.value())
            lexeme, offset = self._next("',' or ']'")
            if lexeme == "]":
                return Node(items, start)
            if lexeme != ",":
                raise JsonSyntaxError(f"expected ',' or ']', found {lexeme!r}", offset)


def from_python(value: object) -> Node:
    """Nodes for an already-decoded JSON value (every offset 0): no text to point into."""
    if isinstance(value, dict):
        keys = {str(k): 0 for k in value}
        return Node({str(k): from_python(v) for k, v in value.items()}, 0, keys)
    if isinstance(value, (list, tuple)):
        return Node([from_python(v) for v in value], 0)
    return Node(value, 0)


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


def plain(node: Node) -> object:
    """The Node tree as ordinary Python values."""
    if isinstance(node.value, dict):
        return {k: plain(v) for k, v in node.value.items()}
    if isinstance(node.value, list):
        return [plain(v) for v in node.value]
    return node.value
