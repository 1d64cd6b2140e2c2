"""Edits of configuration text that keep the rest of each file as written: one entry is re-rendered."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

import yaml

from sojourn.access.issues import ConfigIssue
from sojourn.access.yaml_source import LocatedDocument, load_located


class ConfigEditRefused(ValueError):
    """The edit cannot be made safely in the text as written (flow style, not found, ...)."""


@dataclass(frozen=True, slots=True)
class EntryPlace:
    """Where one entry of a top-level list is written: its file, first line and the lines it spans."""

    file: str
    index: int
    first: int
    """0-based index of the entry's first line (the one with its "- ")."""
    end: int
    """0-based index one past its last line."""
    indent: int
    """Column of its "- "."""
    data: Mapping[str, object]


def find_entry(sources: Mapping[str, str], section: str, name: str) -> EntryPlace:
    """The block-style entry `name` of the top-level list `section` (e.g. permission_sets)."""
    for file, text in sources.items():
        located = load_located(file, text)
        if isinstance(located, ConfigIssue):
            raise ConfigEditRefused(str(located))
        entries = located.data.get(section) if isinstance(located.data, dict) else None
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if isinstance(entry, dict) and entry.get("name") == name:
                return _place(located, text, section, index, entry)
    raise ConfigEditRefused(f"no {section} entry named {name!r} in the configuration files")


def _place(
    located: LocatedDocument, text: str, section: str, index: int, entry: Mapping[str, object]
) -> EntryPlace:
    line, column = located.marks[(section, index)]
    lines = text.splitlines(keepends=True)
    first = line - 1
    head = lines[first]
    dash = column - 3
    if dash < 0 or head[dash : column - 1] != "- " or head[column - 1] == "{":
        raise ConfigEditRefused(
            f"{located.file}:{line}: {section} entry {entry.get('name')!r} is not written in block style "
            "(`- name: ...` with one key a line); rewrite it so, then run again"
        )
    end = first + 1
    while end < len(lines):
        stripped = lines[end].strip()
        if stripped and not stripped.startswith("#") and _indent(lines[end]) <= dash:
            break
        end += 1
    while end > first + 1 and (not lines[end - 1].strip() or lines[end - 1].strip().startswith("#")):
        end -= 1
    return EntryPlace(located.file, index, first, end, dash, entry)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def insert_entry(text: str, section: str, entry: Mapping[str, object]) -> str:
    """`text` with `entry` appended to the top-level list `section`, or with that section added at the end."""
    located = load_located("<config>", text)
    if isinstance(located, ConfigIssue):
        raise ConfigEditRefused(str(located))
    entries = located.data.get(section) if isinstance(located.data, dict) else None
    if not entries:
        body = text if text.endswith("\n") or not text else text + "\n"
        if isinstance(located.data, dict) and section in located.data:
            raise ConfigEditRefused(f"{located.file}: {section} is empty; write its first entry by hand")
        return f"{body}{section}:\n{render_entry(entry, 2)}"
    assert isinstance(entries, list)
    last = _place(located, text, section, len(entries) - 1, entries[-1])
    lines = text.splitlines(keepends=True)
    if last.end > 0 and not lines[last.end - 1].endswith("\n"):
        lines[last.end - 1] += "\n"
    return "".join([*lines[: last.end], render_entry(entry, last.indent), *lines[last.end :]])


def set_entry_keys(text: str, file: str, section: str, name: str, values: Mapping[str, object]) -> str:
    """`text` with keys of the entry `name` of `section` set to new values (None removes the key); every
    other line stays as written. A key that is written on the entry's first line ("- key:") is refused."""
    for key, value in values.items():
        place = find_entry({file: text}, section, name)
        located = load_located(file, text)
        assert not isinstance(located, ConfigIssue)
        lines = text.splitlines(keepends=True)
        mark = located.marks.get((section, place.index, key)) if key in place.data else None
        if mark is None:
            if value is None:
                continue
            if lines[place.end - 1 :] and not lines[place.end - 1].endswith("\n"):
                lines[place.end - 1] += "\n"
            new = _render_key(key, value, place.indent + 2)
            text = "".join([*lines[: place.end], new, *lines[place.end :]])
            continue
        first, column = mark[0] - 1, mark[1] - 1
        if first == place.first:
            raise ConfigEditRefused(
                f"{file}:{mark[0]}: move {key!r} off the entry's first line, then run again"
            )
        end = first + 1
        while end < len(lines):
            stripped = lines[end].strip()
            if stripped and not stripped.startswith("#") and _indent(lines[end]) <= column:
                break
            end += 1
        while end > first + 1 and (not lines[end - 1].strip() or lines[end - 1].strip().startswith("#")):
            end -= 1
        new = "" if value is None else _render_key(key, value, column)
        text = "".join([*lines[:first], new, *lines[end:]])
    return text


def _render_key(key: str, value: object, indent: int) -> str:
    text = yaml.dump({key: value}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
    pad = " " * indent
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


class _Dumper(yaml.SafeDumper):
    """Indents lists under their key, as people write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def render_entry(entry: Mapping[str, object], indent: int) -> str:
    text = yaml.dump([dict(entry)], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
    pad = " " * indent
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


def unified_patch(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """A unified diff of every file whose text changed: relative names as a/NAME and b/NAME (`patch -p1`),
    absolute ones as they are (`patch -p0`)."""
    parts: list[str] = []
    for file, new in after.items():
        old = before.get(file, "")
        if old == new:
            continue
        parts += difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            file if file.startswith("/") else f"a/{file}",
            file if file.startswith("/") else f"b/{file}",
        )
    return "".join(parts)


def remove_entry(text: str, place: EntryPlace) -> str:
    """`text` without the entry at `place` (its comments above it stay)."""
    lines = text.splitlines(keepends=True)
    return "".join([*lines[: place.first], *lines[place.end :]])
