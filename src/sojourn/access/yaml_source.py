"""YAML text to plain data plus the line and column of every element, keyed by its path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from sojourn.access.issues import ConfigIssue

Path = tuple[str | int, ...]
MAX_CONFIG_CHARACTERS = 4 * 1024 * 1024
"""One configuration file; a directory may hold many."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings, aliases followed; a configuration needs about 8."""
MAX_ALIAS_EXPANSION = 10_000
"""Values copied by following aliases (beyond the values written), so an alias bomb stays small."""


@dataclass
class LocatedDocument:
    file: str
    data: object
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path) -> tuple[int, int]:
        """The position of the deepest element of `path` that exists in the document."""
        probe = tuple(path)
        while probe:
            if probe in self.marks:
                return self.marks[probe]
            probe = probe[:-1]
        return self.marks.get((), (1, 1))

    def issue(self, path: Path, message: str) -> ConfigIssue:
        line, col = self.locate(path)
        return ConfigIssue(self.file, line, col, render_path(path), message)


def render_path(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def load_located(file: str, text: str) -> LocatedDocument | ConfigIssue:
    """Parse one YAML document, keeping positions; a syntax error or a value past a limit is an issue."""
    if len(text) > MAX_CONFIG_CHARACTERS:
        return ConfigIssue(
            file,
            1,
            1,
            "",
            f"the file holds {len(text):,} characters, more than the {MAX_CONFIG_CHARACTERS:,} Sojourn reads "
            "from one configuration file; split it into several files in one directory",
        )
    try:
        node = _compose(text)
    except _TooDeep as error:
        line, col = _error_place(error, text)
        return ConfigIssue(file, line, col, "", str(error.problem))
    except yaml.YAMLError as error:
        line, col = _error_place(error, text)
        return ConfigIssue(file, line, col, "", _yaml_problem(error))
    document = LocatedDocument(file, None)
    if node is None:
        document.data = {}
        return document
    try:
        document.data = _Converter(document.marks).convert(node, ())
    except _Refused as refused:
        return ConfigIssue(file, refused.line, refused.col, render_path(refused.path), refused.message)
    return document


def _compose(text: str) -> yaml.Node | None:
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


class _TooDeep(ComposerError):
    """Nesting past MAX_DEPTH, found while composing."""


def _yaml_problem(error: yaml.YAMLError) -> str:
    if isinstance(error, ReaderError):
        found = error.character
        code = found if isinstance(found, int) else ord(str(found)[:1] or "\0")
        return f"character U+{code:04X} is not allowed in YAML text; remove it"
    problem = str(getattr(error, "problem", None) or error)
    if "nesting depth" in problem:
        return f"lists and mappings are nested more than {MAX_DEPTH} levels deep, past what Sojourn reads"
    return f"malformed YAML: {problem}; fix the syntax at this place"


def _error_place(error: yaml.YAMLError, text: str) -> tuple[int, int]:
    mark = getattr(error, "problem_mark", None)
    if mark is not None:
        return mark.line + 1, mark.column + 1
    offset = getattr(error, "position", None)
    if isinstance(offset, int):
        return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1
    return 1, 1


class _PythonEvents(Reader, Scanner, Parser):
    """PyYAML's own event parser, for where its C extension (libyaml) is not installed."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)


def _event_parser() -> type[_PythonEvents]:
    try:
        from yaml._yaml import CParser
    except ImportError:
        return _PythonEvents
    return CParser  # type: ignore[return-value]


if TYPE_CHECKING:
    _Events = _PythonEvents
else:
    _Events = _event_parser()
    """Events from libyaml when present (ten times faster); composed into nodes by Python below."""


class _BoundedLoader(Composer, _Events, SafeConstructor, Resolver):
    """Safe loading whose composer refuses nesting past MAX_DEPTH before any deep recursion."""

    def __init__(self, text: str) -> None:
        _Events.__init__(self, text)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        Composer.__init__(self)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _TooDeep(
                    None,
                    None,
                    f"lists and mappings are nested more than {MAX_DEPTH} levels deep, past what Sojourn "
                    "reads; no configuration needs so many",
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )
            return Composer.compose_node(self, parent, index)
        finally:
            self.depth -= 1


class _Refused(Exception):
    def __init__(self, message: str, path: Path, node: yaml.Node) -> None:
        super().__init__(message)
        self.message, self.path = message, path
        self.line, self.col = node.start_mark.line + 1, node.start_mark.column + 1


class _Converter:
    """Composed nodes to plain values with their marks; aliases are followed, within a budget."""

    def __init__(self, marks: dict[Path, tuple[int, int]]) -> None:
        self.marks = marks
        self.seen: set[int] = set()
        self.visits = 0
        self.inside: set[int] = set()
        self.constructor = yaml.SafeLoader("")

    def convert(self, node: yaml.Node, path: Path) -> object:
        try:
            return self._convert(node, path)
        finally:
            self.constructor.dispose()

    def _convert(self, node: yaml.Node, path: Path) -> object:
        self._count(node, path)
        self.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        if id(node) in self.inside:
            raise _Refused(
                "this anchor's value contains an alias to itself, which never ends; remove that alias",
                path,
                node,
            )
        self.inside.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self._convert(child, (*path, index)) for index, child in enumerate(node.value)]
        finally:
            self.inside.discard(id(node))

    def _count(self, node: yaml.Node, path: Path) -> None:
        self.visits += 1
        self.seen.add(id(node))
        if self.visits - len(self.seen) > MAX_ALIAS_EXPANSION:
            raise _Refused(
                f"aliases repeat the value anchored here into more than {MAX_ALIAS_EXPANSION:,} copied "
                "values, past what Sojourn reads; write fewer aliases (or the values themselves)",
                path,
                node,
            )
        if len(path) > MAX_DEPTH:
            raise _Refused(
                f"aliases nest values more than {MAX_DEPTH} levels deep, past what Sojourn reads; "
                "write fewer aliases inside anchored values",
                path,
                node,
            )

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, object]:
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            key = str(self._scalar(key_node, path) if isinstance(key_node, yaml.ScalarNode) else "?")
            if key in result:
                raise _Refused(f"key {key!r} appears twice in one mapping; keep one", path, key_node)
            result[key] = self._convert(value_node, (*path, key))
            self.marks[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return result

    def _scalar(self, node: yaml.ScalarNode, path: Path) -> object:
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError, TypeError) as error:
            problem = getattr(error, "problem", None) or str(error)
            if node.tag == "tag:yaml.org,2002:timestamp":
                message = f"{node.value!r} is not a real date or time ({problem}); write it as YYYY-MM-DD"
            elif node.tag == "tag:yaml.org,2002:int":
                message = f"the number {node.value[:20]!r}... cannot be read ({problem}); write a smaller one"
            else:
                message = f"the value {node.value[:40]!r} cannot be read ({problem}); quote it as a string"
            raise _Refused(message, path, node) from None
