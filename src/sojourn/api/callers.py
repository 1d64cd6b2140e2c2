"""Who is calling and what they may do: roles, and the two refusals (401 and 403)."""

from __future__ import annotations

from dataclasses import dataclass

from sojourn.access.api_token import Role
from sojourn.service.ports.tokens import TokenRecord

__all__ = ["Caller", "Forbidden", "Role", "Unauthenticated", "require"]


@dataclass(frozen=True, slots=True)
class Caller:
    user_name: str
    roles: frozenset[Role]
    via: str
    """"oidc" or "token"."""
    scopes: frozenset[str] | None = None
    """API tokens carry scopes; None for people signed in through OpenID Connect."""
    token: TokenRecord | None = None
    """The API token presented, if any; a token bound to a person makes `user_name` that person."""

    @property
    def on_behalf(self) -> bool:
        """A token acting for a person of the configuration (its actions are audited as such)."""
        return self.token is not None and self.token.person is not None


class Unauthenticated(Exception):
    """No valid credentials (HTTP 401); the message never repeats the token."""


class Forbidden(Exception):
    """Valid credentials without the right (HTTP 403)."""


def require(caller: Caller, *roles: Role, scope: str | None = None) -> Caller:
    """Deny by default: the caller must hold one of the roles (and, for tokens, the scope)."""
    if not caller.roles & set(roles):
        wanted = " or ".join(r.value for r in roles)
        raise Forbidden(f"this needs the {wanted} role")
    if scope is not None and caller.scopes is not None and scope not in caller.scopes:
        raise Forbidden(f"this token lacks the {scope} scope")
    return caller
