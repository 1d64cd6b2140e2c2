"""One ASGI middleware that sets a fixed family of headers on every HTTP response, replacing any of the
same name the application set; the API and the web pages each give it their own headers."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

Header = tuple[bytes, bytes]


class ResponseHeaders:
    """`headers_for(scope)` is called once per request, before the application sees it (so it may leave
    values in the scope for the application, such as a nonce)."""

    def __init__(self, app: ASGIApp, headers_for: Callable[[Scope], Sequence[Header]]) -> None:
        self.app, self.headers_for = app, headers_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = tuple(self.headers_for(scope))
        names = {name.lower() for name, _ in headers}

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(n, v) for n, v in message.get("headers", []) if n.lower() not in names]
                message = {**message, "headers": [*kept, *headers]}
            await send(message)

        await self.app(scope, receive, with_headers)
