"""The provider seam: what the control plane needs of a cloud's identity and access service."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Protocol

from sojourn.access.changes import Change
from sojourn.access.organization import Organization
from sojourn.access.outcome import ChangeOutcome, ReadResult


class Provider(Protocol):
    """Read the organisation and the access state, apply changes, end live sessions."""

    def read_organization(self, *, with_tags: bool = True) -> Organization: ...

    def read_state(
        self, organization: Organization, known_pairs: Collection[tuple[str, str]] = ()
    ) -> ReadResult: ...

    def apply_change(self, change: Change) -> ChangeOutcome: ...

    def apply_changes(
        self, changes: Sequence[Change], *, on_outcome: Callable[[ChangeOutcome], None]
    ) -> list[ChangeOutcome]: ...

    def forget_assignments(self) -> None:
        """Drop what is remembered about existing assignments (another writer may have changed them)."""
        ...

    def revoke_sessions(
        self, permission_set: str, people: Sequence[tuple[str, datetime]], now: datetime
    ) -> str:
        """Deny sessions of `permission_set` issued to each person before their instant; a summary back."""
        ...


IdentityCenterGateway = Provider
"""AWS IAM Identity Center is the provider Sojourn ships; the name stays for the AWS-specific wording."""
