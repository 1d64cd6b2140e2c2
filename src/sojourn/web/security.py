"""Headers on every page: a strict Content Security Policy whose script nonce is new for each response,
no framing, no sniffing, no caching, no referrer."""

from __future__ import annotations

import secrets

from starlette.types import ASGIApp, Scope

from sojourn.response_headers import Header, ResponseHeaders


def policy(nonce: str) -> str:
    return (
        "default-src 'none'; "
        f"script-src 'nonce-{nonce}'; "
        f"style-src 'self' 'nonce-{nonce}'; "
        "img-src 'self'; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )


def page_headers(nonce: str) -> tuple[Header, ...]:
    return (
        (b"content-security-policy", policy(nonce).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"cache-control", b"no-store"),
        (b"cross-origin-opener-policy", b"same-origin"),
    )


def _fresh_nonce_headers(scope: Scope) -> tuple[Header, ...]:
    nonce = secrets.token_urlsafe(18)
    scope["csp_nonce"] = nonce
    return page_headers(nonce)


class PageHeaders(ResponseHeaders):
    """Each response gets a new script nonce, left in the scope as `csp_nonce` for the templates."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, _fresh_nonce_headers)
