"""What routes depend on, as `Annotated` aliases: the caller, and the use cases of the app's context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from sojourn.api.auth_oidc import OidcVerifier
from sojourn.api.auth_tokens import token_caller
from sojourn.api.callers import Caller, Unauthenticated
from sojourn.service.audit import AuditTrail
from sojourn.service.jit import JitService
from sojourn.service.reviews import ReviewService
from sojourn.service.tokens import ApiTokens


@dataclass(frozen=True, slots=True)
class UseCases:
    """The use cases one app serves, built once by `create_app`."""

    jit: JitService
    tokens: ApiTokens
    audit: AuditTrail
    oidc: OidcVerifier | None
    reviews: ReviewService | None = None


def use_cases(request: Request) -> UseCases:
    found: UseCases = request.app.state.use_cases
    return found


def current_user(request: Request, authorization: Annotated[str | None, Header()] = None) -> Caller:
    """The caller behind a bearer credential: a Sojourn API token (sjt_...) or an OpenID Connect token."""
    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthenticated("send Authorization: Bearer <token>")
    token = authorization.removeprefix("Bearer ").strip()
    cases = use_cases(request)
    if token.startswith("sjt_"):
        return token_caller(token, cases.tokens)
    if cases.oidc is None:
        raise Unauthenticated("OpenID Connect is not configured; use an API token")
    return cases.oidc.verify(token)


def jit_service(request: Request) -> JitService:
    return use_cases(request).jit


def api_tokens(request: Request) -> ApiTokens:
    return use_cases(request).tokens


def audit_trail(request: Request) -> AuditTrail:
    return use_cases(request).audit


class ReviewsUnavailable(Exception):
    """This app serves no access reviews (HTTP 404)."""


def review_service(request: Request) -> ReviewService:
    found = use_cases(request).reviews
    if found is None:
        raise ReviewsUnavailable(
            "access reviews are not served by this instance; start it with a configuration"
        )
    return found


CurrentUser = Annotated[Caller, Depends(current_user)]
JitDep = Annotated[JitService, Depends(jit_service)]
TokensDep = Annotated[ApiTokens, Depends(api_tokens)]
AuditDep = Annotated[AuditTrail, Depends(audit_trail)]
ReviewsDep = Annotated[ReviewService, Depends(review_service)]
