"""The IAM action catalogue: services, actions, access levels, resource types and condition keys."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from sojourn.catalog.global_keys import GLOBAL_CONDITION_KEYS

ActionBits = int
"""A set of catalogue actions as an integer: bit i stands for the i-th canonical action name in sorted order.
Union, intersection and difference of thousands of actions are then single integer operations."""

FEW = 8
"""Up to this many single actions are OR-ed in one by one; more go through a bitmap."""

ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")


@dataclass(frozen=True, slots=True)
class ResourceRequirement:
    name: str
    arn: str
    required: bool
    condition_keys: tuple[str, ...] = ()
    """Keys the resource type adds to requests on it (ec2:InstanceType on instance, ...)."""


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
        self._bit = {name: i for i, name in enumerate(self._all)}
        self._lower_bit = {name.lower(): i for i, name in enumerate(self._all)}
        self._lower_actions = tuple(name.partition(":")[2].lower() for name in self._all)
        self._ranges = _service_ranges(self._all)
        self.bits = lru_cache(maxsize=16_384)(self._bits)
        self._level_bits: dict[str, ActionBits] | None = None
        self._arn_fields = _arn_fields(self._services.values())
        self._arn_services = frozenset(self._services) | frozenset(self._arn_fields)

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

    def knows_arn_service(self, service: str) -> bool:
        """Whether an ARN's service part names a service: a prefix or a resource type's ARN service."""
        return service.lower() in self._arn_services

    def arn_field_shapes(self, service: str) -> tuple[frozenset[str], frozenset[str]] | None:
        """The region and account fields, as written, of every ARN format the catalogue lists for an ARN
        service ("${Region}", "" or a literal such as "aws"); None for a service with no ARN format."""
        return self._arn_fields.get(service.lower())

    def supports_key(self, prefix: str, key: str) -> bool:
        """Whether the service lists the (global or own) condition key, e.g. aws:ResourceTag/${TagKey}."""
        service = self._services.get(prefix.lower())
        if service is None:
            return False
        lowered = key.lower()
        if lowered in service.condition_keys:
            return True
        head, slash, _ = lowered.partition("/")
        return bool(slash) and f"{head}/*" in service.condition_keys

    def knows_action(self, action: str) -> bool:
        return action.lower() in self._lower_bit

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
        if prefix.lower() in self._services:
            services = [self._services[prefix.lower()]]
        elif "*" in prefix or "?" in prefix:
            fits = _name_matcher(prefix)
            services = [s for p, s in self._services.items() if fits(p)]
        else:
            services = []
        return frozenset(info.name for s in services for key, info in s.actions.items() if matches(key))

    def expand_not_action(self, patterns: Iterable[str]) -> frozenset[str]:
        excluded: set[str] = set()
        for pattern in patterns:
            excluded |= self.expand(pattern)
        return frozenset(self._all) - excluded

    @property
    def all_bits(self) -> ActionBits:
        return (1 << len(self._all)) - 1

    def _bits(self, pattern: str) -> ActionBits:
        """The actions a pattern matches as bits: bit i is the i-th canonical name in sorted order."""
        if pattern == "*":
            return self.all_bits
        prefix, _, name = pattern.partition(":")
        lowered = prefix.lower()
        if "*" in lowered or "?" in lowered:
            return self.bits_of(self.expand(pattern))
        span = self._ranges.get(lowered)
        if span is None:
            return 0
        start, end = span
        if name == "*":
            return ((1 << (end - start)) - 1) << start
        if "*" not in name and "?" not in name:
            index = self._lower_bit.get(f"{lowered}:{name.lower()}")
            return 0 if index is None else 1 << index
        matches = _name_matcher(name)
        found = 0
        actions = self._lower_actions
        for index in range(start, end):
            if matches(actions[index]):
                found |= 1 << index
        return found

    def union_bits(self, patterns: Iterable[str]) -> ActionBits:
        """The actions any of the patterns matches."""
        found = 0
        plain: list[int] = []
        lower_bit = self._lower_bit
        for pattern in patterns:
            if "*" in pattern or "?" in pattern:
                found |= self.bits(pattern)
                continue
            index = lower_bit.get(pattern.lower())
            if index is not None:
                plain.append(index)
        return found | self._from_indices(plain) if plain else found

    def matches_any(self, pattern: str) -> bool:
        return self.bits(pattern) != 0

    def not_action_bits(self, patterns: Iterable[str]) -> ActionBits:
        return self.all_bits & ~self.union_bits(patterns)

    def bits_of(self, names: Iterable[str]) -> ActionBits:
        """Bits of action names in any letter case; names the catalogue does not know are left out."""
        bit, lower_bit = self._bit, self._lower_bit
        indices = []
        for name in names:
            index = bit.get(name)
            if index is None:
                index = lower_bit.get(name.lower())
            if index is not None:
                indices.append(index)
        return self._from_indices(indices)

    def _from_indices(self, indices: list[int]) -> ActionBits:
        """A few bits are OR-ed in one by one; many go through a bitmap that becomes one integer (OR-ing
        thousands of wide integers one by one is what costs)."""
        found = 0
        if len(indices) <= FEW:
            for index in indices:
                found |= 1 << index
            return found
        bitmap = bytearray((len(self._all) + 7) // 8)
        for index in indices:
            bitmap[index >> 3] |= 1 << (index & 7)
        return int.from_bytes(bitmap, "little")

    def names(self, bits: ActionBits, limit: int | None = None) -> tuple[str, ...]:
        """The canonical names of the set bits in sorted order (the first `limit` of them when given)."""
        text = bin(bits)[:1:-1]
        names = self._all
        found: list[str] = []
        index = text.find("1")
        while index >= 0 and (limit is None or len(found) < limit):
            found.append(names[index])
            index = text.find("1", index + 1)
        return tuple(found)

    def level_bits(self, level: str) -> ActionBits:
        """Every action of one access level, as bits (built once per catalogue)."""
        if self._level_bits is None:
            by_level: dict[str, list[str]] = {level: [] for level in ACCESS_LEVELS}
            for service in self._services.values():
                for info in service.actions.values():
                    by_level.setdefault(info.access_level, []).append(info.name)
            self._level_bits = {level: self.bits_of(names) for level, names in by_level.items()}
        return self._level_bits.get(level, 0)

    def access_level(self, action: str) -> str | None:
        info = self.action(action)
        return None if info is None else info.access_level

    def access_level_profile(self, actions: Iterable[str]) -> dict[str, int]:
        return self.access_level_counts(self.bits_of(actions))

    def access_level_counts(self, bits: ActionBits) -> dict[str, int]:
        """How many of the actions fall in each access level; every level is present, zero when none."""
        self.level_bits(ACCESS_LEVELS[0])
        assert self._level_bits is not None
        return {level: (bits & mask).bit_count() for level, mask in self._level_bits.items()}

    def condition_key_type(self, key: str) -> str | None:
        lowered = key.lower()
        found = self._key_types.get(lowered)
        if found is not None:
            return found
        for regex, kind in self._key_patterns:
            if regex.fullmatch(lowered):
                return kind
        return None


def _arn_fields(services: Iterable[ServiceInfo]) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    regions: dict[str, set[str]] = {}
    accounts: dict[str, set[str]] = {}
    for service in services:
        for info in service.actions.values():
            for requirement in info.resource_types:
                parts = requirement.arn.split(":", 5)
                if len(parts) < 6:
                    continue
                name = parts[2].lower()
                regions.setdefault(name, set()).add(parts[3])
                accounts.setdefault(name, set()).add(parts[4])
    return {name: (frozenset(regions[name]), frozenset(accounts[name])) for name in regions}


def _service_ranges(names: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """Lower-case prefix -> [start, end) in the sorted names: names sharing "prefix:" are contiguous."""
    ranges: dict[str, tuple[int, int]] = {}
    for index, name in enumerate(names):
        prefix = name.partition(":")[0].lower()
        start, _ = ranges.get(prefix, (index, index))
        ranges[prefix] = (start, index + 1)
    return ranges


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
