"""What reading and changing a provider's access state returns: plain values, whatever the cloud."""

from __future__ import annotations

from dataclasses import dataclass

from sojourn.access.changes import Change
from sojourn.access.state import AccessState


@dataclass(frozen=True, slots=True)
class ReadResult:
    """A provider's current access state, with the calls it took and what the endpoint could not show."""

    state: AccessState
    api_calls: dict[str, int]
    strategy: str
    unsupported: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChangeOutcome:
    """One applied change: whether it took, the provider's reason when not, and its request id."""

    change: Change
    ok: bool
    detail: str = ""
    request_id: str | None = None
