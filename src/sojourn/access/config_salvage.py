"""What of a file that failed its schema can still be cross-checked: the entries that are valid alone.

A configuration's problems are reported in one run (issue 14): a typo in one person must not hide an
unknown team member or a rule naming a missing permission set. The entries that fail are dropped and
remembered by kind and name, so references to them are not reported a second time as unknown.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from sojourn.access.config_model import FileModel

REFERENCED = {
    "people": ("person", "user_name"),
    "teams": ("team", "name"),
    "groups": ("group", "name"),
    "permission_sets": ("permission_set", "name"),
    "on_call": ("on_call", "name"),
}
"""Top-level list -> (the kind references name it by, the field holding its name)."""


def salvage(data: dict[str, Any]) -> tuple[FileModel, frozenset[tuple[str, str]]]:
    """The file's valid entries as a model, and (kind, name) of each dropped entry others may refer to."""
    kept: dict[str, Any] = {}
    dropped: set[tuple[str, str]] = set()
    for key, value in data.items():
        if key not in FileModel.model_fields:
            continue
        if not isinstance(value, list):
            if _valid({key: value}):
                kept[key] = value
            continue
        kept[key] = [item for item in value if _valid({key: [item]})]
        kind, field = REFERENCED.get(key, ("", ""))
        for item in value:
            if (
                kind
                and isinstance(item, dict)
                and isinstance(item.get(field), str)
                and not _valid({key: [item]})
            ):
                dropped.add((kind, item[field]))
    return FileModel.model_validate(kept), frozenset(dropped)


def _valid(data: dict[str, Any]) -> bool:
    try:
        FileModel.model_validate(data)
    except ValidationError:
        return False
    return True
