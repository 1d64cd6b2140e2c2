"""One ASGI app for `sojourn serve`: the API's paths go to the API app, everything else to the pages."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

API_PATHS = ("/health", "/openapi.json")
API_PREFIX = "/v1/"


def beside_api(api: ASGIApp, web: ASGIApp) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] == "lifespan" or path in API_PATHS or path.startswith(API_PREFIX):
            await api(scope, receive, send)
        else:
            await web(scope, receive, send)

    return app
