"""Who may do what: authenticate a bearer credential, then admit only the roles a route names."""

# No `from __future__ import annotations` here: FastAPI reads the dependency functions' annotations at
# runtime, and they name closure variables (`Depends(current)`) that a string annotation cannot resolve.

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sojourn.api.identity import AuthError, Caller, Forbidden, Role, Unauthenticated
from sojourn.api.oidc import OidcVerifier
from sojourn.api.tokens import PREFIX, TokenRepository, check_token

log = logging.getLogger(__name__)


def require(caller: Caller | None, *roles: Role, scope: str | None = None) -> Caller:
    """The caller if it holds one of `roles` (and, for an API token, `scope`); refuse otherwise."""
    if not roles:
        raise ValueError("name at least one role: nothing is allowed by default")
    if caller is None:
        raise Unauthenticated("authentication is required")
    if not any(caller.has_role(role) for role in roles):
        raise Forbidden("this needs one of the roles: " + ", ".join(sorted(role.value for role in roles)))
    if scope is not None and caller.via == "token" and scope not in caller.scopes:
        raise Forbidden(f"this API token lacks the scope {scope!r}")
    return caller


def authenticate(
    token: str | None, verifier: OidcVerifier | None, tokens: TokenRepository, at: datetime
) -> Caller:
    """The caller a bearer credential stands for: `sjt_` API tokens here, anything else via OIDC."""
    if not token:
        raise Unauthenticated("a bearer token is required")
    if token.startswith(PREFIX):
        return check_token(token, tokens.get, at)
    if verifier is None:
        raise Unauthenticated("OpenID Connect sign-in is not configured")
    return verifier.verify(token)


def http_error(error: AuthError, *, token_given: bool = True) -> HTTPException:
    """The HTTP form of a refusal: 401 with a Bearer challenge, or 403."""
    if isinstance(error, Forbidden):
        return HTTPException(status.HTTP_403_FORBIDDEN, detail=error.reason)
    challenge = 'Bearer error="invalid_token"' if token_given else "Bearer"
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=error.reason, headers={"WWW-Authenticate": challenge}
    )


def authenticated(
    verifier: OidcVerifier | None, tokens: TokenRepository, now: Callable[[], datetime]
) -> Callable[..., Caller]:
    """A FastAPI dependency that yields the authenticated Caller or answers 401."""
    bearer = HTTPBearer(
        auto_error=False,
        description="An OpenID Connect access token, or a Sojourn API token (sjt_...).",
    )

    def current_caller(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Caller:
        token = credentials.credentials if credentials is not None else None
        try:
            return authenticate(token, verifier, tokens, now())
        except Unauthenticated as error:
            log.info("authentication refused: %s", error.reason)  # the reason only, never the token
            raise http_error(error, token_given=bool(token)) from None

    return current_caller


def authorised(
    current: Callable[..., Caller], *roles: Role, scope: str | None = None
) -> Callable[..., Caller]:
    """A FastAPI dependency admitting only callers with one of `roles` (and `scope` for API tokens)."""
    if not roles:
        raise ValueError("name at least one role: nothing is allowed by default")

    def authorised_caller(caller: Annotated[Caller, Depends(current)]) -> Caller:
        try:
            return require(caller, *roles, scope=scope)
        except AuthError as error:
            log.info("request refused for %s: %s", caller.subject, error.reason)
            raise http_error(error) from None

    return authorised_caller
