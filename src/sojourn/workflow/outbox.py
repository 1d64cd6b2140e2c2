"""The outbox's value types: a queued effect leased to a worker, and the errors of the request store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class RequestNotFound(LookupError):
    """No request with that id."""


class DuplicateRequest(Exception):
    """A request with that id is already stored (e.g. another worker opened the same on-call grant)."""


@dataclass(frozen=True, slots=True)
class ClaimedEffect:
    """A queued effect leased to one worker; `body` is its stored JSON (decode with `effect_from_json`)."""

    id: int
    request_id: str
    kind: str
    body: dict[str, Any]
    attempts: int
