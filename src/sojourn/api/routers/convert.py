"""Values of the use cases as response bodies, and spans as the API writes them (30m, 2h, 1d)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Path

from sojourn.access.config_model import span_minutes
from sojourn.api.callers import Caller, Role
from sojourn.api.schemas import RequestOut
from sojourn.workflow.codec import request_to_json
from sojourn.workflow.grant_request import GrantRequest

RequestId = Annotated[str, Path(pattern=r"^[A-Za-z0-9._:-]{1,64}$", description="the request's id")]


def span(text: str) -> timedelta:
    return timedelta(minutes=span_minutes(text))


def request_out(request: GrantRequest) -> RequestOut:
    return RequestOut.model_validate(request_to_json(request))


def sees_all(caller: Caller) -> bool:
    """Administrators and auditors see every request."""
    return bool(caller.roles & {Role.ADMIN, Role.AUDITOR})
