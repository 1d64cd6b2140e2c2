"""API tokens at the HTTP edge: a valid token's record becomes a Caller (issuing and checking are use cases
in `service/tokens.py`)."""

from __future__ import annotations

from sojourn.api.callers import Caller, Role
from sojourn.service.tokens import SCOPES, ApiTokens, issue_token

__all__ = ["SCOPES", "issue_token", "token_caller"]


def token_caller(plaintext: str, tokens: ApiTokens) -> Caller:
    """The caller a valid token stands for; raises TokenRejected otherwise."""
    record = tokens.authenticate(plaintext)
    roles = frozenset(Role(r) for r in record.roles if r in Role.__members__.values())
    return Caller(f"token:{record.name}", roles, "token", record.scopes)
