"""The CLI's request, approve, deny, cancel and revoke over HTTP, when SOJOURN_API_URL is set: the same
service, authenticated by the API (SOJOURN_TOKEN: an OpenID Connect token or a Sojourn API token)."""

from __future__ import annotations

from typing import Any

import httpx
import typer

from sojourn.cli.consoles import screen
from sojourn.settings import Settings
from sojourn.workflow.codec import request_from_json
from sojourn.workflow.grant_request import GrantRequest

errors = screen(stderr=True)


def api_url() -> str | None:
    return Settings.from_environment().api_url


def call(method: str, path: str, body: dict[str, Any] | None = None) -> GrantRequest:
    url = api_url()
    assert url is not None
    token = Settings.from_environment().api_token
    if not token:
        errors.print(
            "[red]error:[/red] SOJOURN_API_URL is set but SOJOURN_TOKEN is not; sign in or create a token"
        )
        raise typer.Exit(1)
    try:
        answer = httpx.request(
            method,
            url.rstrip("/") + path,
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
    except httpx.HTTPError as error:
        errors.print(f"[red]error:[/red] Sojourn's API at {url} did not answer: {error}")
        raise typer.Exit(1) from None
    if answer.status_code >= 400:
        detail = (
            answer.json().get("detail")
            if answer.headers.get("content-type", "").startswith("application/json")
            else answer.text
        )
        errors.print(f"[red]refused ({answer.status_code}):[/red] {detail}")
        raise typer.Exit(1)
    return request_from_json(answer.json())
