"""The key rotation ports: IAM access keys and the Secrets Manager secret (the vault), and the rotations."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sojourn.access.audit import AuditEvent
from sojourn.workflow.key_rotation import KeyRotation, Observed, Outcome

__all__ = ["KeyRotation", "KeyRotationRepository", "KeyVault", "Observed", "Outcome"]


class KeyVault(Protocol):
    """An IAM user's access keys and the secret that holds the one in use. Every call is idempotent."""

    def observe(self, user: str, secret_id: str) -> Observed:
        """The user's keys and the secret's AWSCURRENT / AWSPENDING versions (and the key ids they hold)."""
        ...

    def create_key(self, user: str) -> tuple[str, str]:
        """A new access key: (key id, secret access key). The secret is returned only this once."""
        ...

    def store_pending(self, secret_id: str, version: str, key_id: str, secret: str) -> None:
        """Put the key as version `version` of the secret, labelled AWSPENDING (idempotent per version)."""
        ...

    def verify(self, user: str, secret_id: str, version: str) -> Outcome:
        """Call sts:GetCallerIdentity with the key stored under `version`; ok when it answers as the user."""
        ...

    def promote(self, secret_id: str, version: str, from_version: str | None) -> None:
        """Move AWSCURRENT to `version` (the former current becomes AWSPREVIOUS), then drop AWSPENDING."""
        ...

    def remove_pending(self, secret_id: str, version: str) -> None: ...

    def deactivate(self, user: str, key_id: str) -> None: ...

    def delete_key(self, user: str, key_id: str) -> None:
        """Delete the key; a key already gone is not an error."""
        ...

    def key_created(self, user: str, key_id: str) -> datetime | None:
        """When the key was created; None when the user has no such key."""
        ...


class KeyRotationRepository(Protocol):
    """Rotations and their progress; each save writes the audit record in the same transaction."""

    def save(self, rotation: KeyRotation, event: AuditEvent) -> None: ...

    def get(self, rotation_id: str) -> KeyRotation | None: ...

    def open_for(self, user: str) -> KeyRotation | None:
        """The user's unfinished rotation, if any (at most one at a time)."""
        ...

    def unfinished(self) -> list[KeyRotation]: ...

    def retired_keys(self, user: str) -> frozenset[str]:
        """Keys of `user` that earlier rotations replaced (safe to delete to free a key slot)."""
        ...

    def recent(self, limit: int = 20) -> list[KeyRotation]: ...
