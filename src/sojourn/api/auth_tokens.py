"""API tokens at the HTTP edge: a valid token's record becomes a Caller (issuing and checking are use cases
in `service/tokens.py`, whose repository compares the secret's digest in constant time)."""

from __future__ import annotations

from sojourn.api.callers import Caller, Role
from sojourn.service.tokens import ApiTokens, TokenIssuer


def token_caller(plaintext: str, tokens: ApiTokens) -> Caller:
    """The caller a valid token stands for (the person it is bound to, or `token:<name>`); raises
    TokenRejected otherwise."""
    record = tokens.authenticate(plaintext)
    roles = frozenset(Role(r) for r in record.roles if r in Role.__members__.values())
    user = record.person if record.person is not None else f"token:{record.name}"
    return Caller(user, roles, "token", record.scopes, record)


def issuer_of(caller: Caller) -> TokenIssuer:
    """Who issues or revokes a token in the audit log, and the limits of the token used, if any."""
    return TokenIssuer(caller.user_name, caller.token)


def audit_on_behalf(caller: Caller, tokens: ApiTokens, action: str, request_id: str) -> None:
    """When a token bound to a person did this, say so in the audit log (which token, for whom)."""
    if caller.token is not None and caller.on_behalf:
        tokens.record_use(caller.token, action, f"request:{request_id}")
