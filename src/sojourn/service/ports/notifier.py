"""The notifier: tell people and channels what happened to a request, without delaying the work."""

from __future__ import annotations

from typing import Protocol

from sojourn.workflow.grant_request import GrantRequest
from sojourn.workflow.key_rotation import KeyRotation


class Notifier(Protocol):
    """Hand over one event about `request` (e.g. "approved", "overdue"), also for the people in `to`."""

    def __call__(self, event: str, request: GrantRequest, to: tuple[str, ...], /) -> None: ...


class RotationNotifier(Protocol):
    """Hand over one event of a key rotation ("rotated", "deleted", "failed"); never delays the rotation."""

    def __call__(self, event: str, rotation: KeyRotation, /) -> None: ...
