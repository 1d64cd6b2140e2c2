"""YAML text to plain data plus the line and column of every element, keyed by its path."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from sojourn.access.issues import ConfigIssue

Path = tuple[str | int, ...]


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
    """Parse one YAML document, keeping positions; a syntax error comes back as an issue."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = getattr(error, "problem", None) or str(error)
        return ConfigIssue(file, line, col, "", f"malformed YAML: {problem}; fix the syntax at this place")
    document = LocatedDocument(file, None)
    if node is None:
        document.data = {}
        return document
    try:
        document.data = _convert(node, (), document.marks)
    except _DuplicateKey as duplicate:
        return ConfigIssue(
            file,
            duplicate.line,
            duplicate.col,
            render_path(duplicate.path),
            f"key {duplicate.key!r} appears twice in one mapping; keep one",
        )
    return document


class _DuplicateKey(Exception):
    def __init__(self, key: str, path: Path, line: int, col: int) -> None:
        super().__init__(key)
        self.key, self.path, self.line, self.col = key, path, line, col


def _convert(node: yaml.Node, path: Path, marks: dict[Path, tuple[int, int]]) -> object:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            key = str(_scalar(key_node))
            if key in result:
                raise _DuplicateKey(key, path, key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = _convert(value_node, (*path, key), marks)
            marks[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(child, (*path, index), marks) for index, child in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> object:
    if not isinstance(node, yaml.ScalarNode):
        return str(node.value)
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()
