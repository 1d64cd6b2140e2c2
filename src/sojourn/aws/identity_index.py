"""Names <-> AWS identifiers for one Identity Center instance, filled by reads and kept by writes."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class InstanceRef:
    instance_arn: str
    identity_store_id: str


@dataclass
class IdentityIndex:
    permission_sets: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def remember(self, table: str, name: str, identifier: str) -> None:
        with self.lock:
            getattr(self, table)[name] = identifier

    def forget(self, table: str, name: str) -> None:
        with self.lock:
            getattr(self, table).pop(name, None)

    def lookup(self, table: str, name: str) -> str | None:
        with self.lock:
            value: str | None = getattr(self, table).get(name)
            return value

    def reverse(self, table: str) -> dict[str, str]:
        with self.lock:
            return {identifier: name for name, identifier in getattr(self, table).items()}
