"""Headers on every response that keep browsers from sniffing, framing, caching or leaking API answers."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp, Scope

from sojourn.response_headers import Header, ResponseHeaders

SECURITY_HEADERS: tuple[Header, ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (
        b"content-security-policy",
        b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    ),
    (b"cross-origin-resource-policy", b"same-origin"),
)


def _api_headers(_scope: Scope) -> Sequence[Header]:
    return SECURITY_HEADERS


class SecurityHeaders(ResponseHeaders):
    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, _api_headers)
