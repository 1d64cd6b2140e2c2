"""The HTTP API: requests, approvals, grants, revocation, eligibility, audit and tokens.

Every route but /health needs a bearer credential (an OpenID Connect token or a Sojourn API token) and a
role; anything not allowed is refused (deny by default). Nobody approves their own request.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from fastapi import FastAPI

from sojourn import __version__
from sojourn.api.auth_oidc import OidcVerifier
from sojourn.api.body_limit import DEFAULT_MAX_BODY_BYTES, BodyLimit
from sojourn.api.dependencies import UseCases
from sojourn.api.errors import install_error_handlers
from sojourn.api.routers import approvals, audit, grants, health, requests, reviews, tokens
from sojourn.api.security_headers import SecurityHeaders
from sojourn.clock import Clock
from sojourn.service.audit import AuditTrail
from sojourn.service.jit import JitService
from sojourn.service.ports.audit import AuditRepository
from sojourn.service.ports.tokens import TokenRepository
from sojourn.service.reviews import ReviewService
from sojourn.service.tokens import ApiTokens

ROUTERS = (
    health.router,
    requests.router,
    approvals.router,
    grants.router,
    audit.router,
    tokens.router,
    reviews.router,
)


@dataclass
class ApiContext:
    """What the API serves: the JIT use cases, the token and audit repositories, the clock, OIDC, and the
    largest request body accepted."""

    service: JitService
    tokens: TokenRepository
    audit: AuditRepository
    clock: Clock
    oidc: OidcVerifier | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    reviews: ReviewService | None = None
    worker_health: Callable[[], str | None] | None = None
    """What is wrong with the worker running beside the API (None: nothing); absent when none runs."""


def create_app(context: ApiContext) -> FastAPI:
    """The FastAPI app over the context's use cases (routers in `api/routers/`), behind the body limit and
    the security headers. The interactive docs pages are off (a strict CSP forbids their scripts); the
    OpenAPI document is at /openapi.json."""
    app = FastAPI(title="Sojourn", version=__version__, description=__doc__, docs_url=None, redoc_url=None)

    def people() -> Collection[str]:
        return context.service.directory().config.people

    tokens = ApiTokens(context.tokens, context.audit, context.clock, people)
    app.state.use_cases = UseCases(
        context.service, tokens, AuditTrail(context.audit), context.oidc, context.reviews
    )
    app.state.worker_health = context.worker_health
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(BodyLimit, max_bytes=context.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app
