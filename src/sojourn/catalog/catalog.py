"""The IAM action catalogue: services, actions, access levels, resource types and condition keys."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from sojourn.catalog.global_keys import GLOBAL_CONDITION_KEYS

ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")


@dataclass(frozen=True, slots=True)
class ResourceRequirement:
    name: str
    arn: str
    required: bool


@dataclass(frozen=True, slots=True)
class ActionInfo:
    name: str
    """Canonical "service:Action"."""
    access_level: str
    resource_types: tuple[ResourceRequirement, ...]
    condition_keys: tuple[str, ...]
    dependent_actions: tuple[str, ...]

    @property
    def wildcard_only(self) -> bool:
        """The action supports no resource type, so only Resource "*" can grant it."""
        return not self.resource_types


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    prefix: str
    actions: Mapping[str, ActionInfo]
    """Lower-case action name (without prefix) -> info."""
    condition_keys: Mapping[str, str]
    """Lower-case key (patterns with ${...} turned into *) -> type."""


class ActionCatalog:
    """Read-only, with cached wildcard expansion; build with `load_catalog()`."""

    def __init__(self, services: Mapping[str, ServiceInfo], version: str) -> None:
        self._services = dict(services)
        self.version = version
        self._all = tuple(sorted(info.name for s in self._services.values() for info in s.actions.values()))
        key_types: dict[str, str] = {}
        for service in self._services.values():
            key_types.update(service.condition_keys)
        key_types.update(GLOBAL_CONDITION_KEYS)
        self._key_types = key_types
        self._key_patterns = [
            (re.compile(re.escape(k).replace(r"\*", ".+")), t) for k, t in key_types.items() if "*" in k
        ]
        self.expand = lru_cache(maxsize=8192)(self._expand)

    def services(self) -> tuple[str, ...]:
        return tuple(sorted(self._services))

    def service(self, prefix: str) -> ServiceInfo | None:
        return self._services.get(prefix.lower())

    def action(self, name: str) -> ActionInfo | None:
        prefix, _, action = name.partition(":")
        service = self._services.get(prefix.lower())
        return None if service is None else service.actions.get(action.lower())

    def knows_service(self, prefix: str) -> bool:
        return prefix.lower() in self._services

    def knows_action(self, action: str) -> bool:
        return self.action(action) is not None

    def suggest_action(self, action: str) -> str | None:
        prefix, _, name = action.partition(":")
        service = self._services.get(prefix.lower())
        if service is None:
            close = difflib.get_close_matches(prefix.lower(), list(self._services), n=1, cutoff=0.7)
            if not close:
                return None
            service = self._services[close[0]]
        names = {info.name.split(":", 1)[1].lower(): info.name for info in service.actions.values()}
        match = difflib.get_close_matches(name.lower(), list(names), n=1, cutoff=0.7)
        return names[match[0]] if match else None

    def _expand(self, pattern: str) -> frozenset[str]:
        """Canonical action names that a pattern such as "s3:Get*", "*" or "iam:*Role*" matches."""
        if pattern == "*":
            return frozenset(self._all)
        prefix, _, name = pattern.partition(":")
        matches = _name_matcher(name)
        services = (
            [self._services[prefix.lower()]]
            if prefix.lower() in self._services
            else [s for p, s in self._services.items() if re.fullmatch(prefix.replace("*", ".*"), p)]
            if "*" in prefix
            else []
        )
        return frozenset(info.name for s in services for key, info in s.actions.items() if matches(key))

    def expand_not_action(self, patterns: Iterable[str]) -> frozenset[str]:
        excluded: set[str] = set()
        for pattern in patterns:
            excluded |= self.expand(pattern)
        return frozenset(self._all) - excluded

    def access_level(self, action: str) -> str | None:
        info = self.action(action)
        return None if info is None else info.access_level

    def access_level_profile(self, actions: Iterable[str]) -> dict[str, int]:
        profile = dict.fromkeys(ACCESS_LEVELS, 0)
        for action in actions:
            level = self.access_level(action)
            if level is not None:
                profile[level] = profile.get(level, 0) + 1
        return profile

    def condition_key_type(self, key: str) -> str | None:
        lowered = key.lower()
        found = self._key_types.get(lowered)
        if found is not None:
            return found
        for regex, kind in self._key_patterns:
            if regex.fullmatch(lowered):
                return kind
        return None


def _name_matcher(name: str) -> Callable[[str], bool]:
    """A test for lower-case action names: plain comparison for "GetObject" and "Get*", a regex otherwise."""
    lowered = name.lower()
    if "?" not in lowered and "*" not in lowered:
        return lowered.__eq__
    if "?" not in lowered and lowered.count("*") == 1 and lowered.endswith("*"):
        start = lowered[:-1]
        return lambda key: key.startswith(start)
    regex = re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in lowered))
    return lambda key: regex.fullmatch(key) is not None
