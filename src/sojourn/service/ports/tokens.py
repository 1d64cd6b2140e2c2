"""The API-token port: create, verify (constant time), list and revoke tokens, keeping only digests."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sojourn.access.api_token import TokenRecord, TokenRefusal, secret_digest

__all__ = ["TokenRecord", "TokenRefusal", "TokenRepository", "secret_digest"]


class TokenRepository(Protocol):
    """Stored API tokens. The secret never reaches the store, only `secret_digest(secret)`."""

    def add(self, record: TokenRecord) -> None:
        """Keep a newly issued token."""
        ...

    def get(self, token_id: str) -> TokenRecord | None:
        """The token with that id, revoked or not."""
        ...

    def verify(self, token_id: str, secret: str, now: datetime) -> TokenRecord | TokenRefusal:
        """The token when `secret` is its secret (compared in constant time), live and unexpired at `now`."""
        ...

    def list_tokens(self) -> list[TokenRecord]:
        """Every token, oldest first (digests included; never the secrets, which are not kept)."""
        ...

    def revoke(self, token_id: str, at: datetime) -> bool:
        """Revoke from `at` on; False when there is no such token or it was already revoked."""
        ...
