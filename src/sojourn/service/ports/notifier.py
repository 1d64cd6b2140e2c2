"""The notifier: tell people and channels what happened to a request, without delaying the work."""

from __future__ import annotations

from typing import Protocol

from sojourn.workflow.grant_request import GrantRequest


class Notifier(Protocol):
    """Hand over one event about `request` (e.g. "approved", "overdue"), also for the people in `to`."""

    def __call__(self, event: str, request: GrantRequest, to: tuple[str, ...], /) -> None: ...
