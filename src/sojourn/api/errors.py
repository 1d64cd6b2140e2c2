"""How refusals and failures of the use cases become HTTP problems (status and a `detail` message).

Messages are capped and a 422 lists what was wrong where, never the input itself: an answer is not an
echo of whatever a client sent.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from sojourn.access.issues import ConfigInvalid
from sojourn.access.review import CampaignNotFound
from sojourn.access.review_decide import NotTheReviewer, ReviewRefused
from sojourn.api.callers import Forbidden, Unauthenticated
from sojourn.api.dependencies import ReviewsUnavailable
from sojourn.api.schemas import Problem
from sojourn.service.request_visibility import RequestNotFound
from sojourn.service.tokens import TokenNotAllowed, TokenNotFound, TokenRejected
from sojourn.workflow.opening import NotEligible
from sojourn.workflow.transitions import IllegalTransition, SelfApproval

MAX_DETAIL = 500
"""Characters of an error message sent back."""
MAX_PROBLEMS = 20
"""Validation problems listed in one 422."""

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "no valid credentials"},
    403: {"model": Problem, "description": "not allowed"},
}
"""The refusals every authenticated route can answer with."""
ON_REQUEST: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    404: {"model": Problem},
    409: {"model": Problem},
}
"""Also: no such request (or not visible), or not in a state that allows the step."""


def capped(text: str, limit: int = MAX_DETAIL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": capped(detail)}, status_code=status, headers=headers)


def _unauthenticated(_: Request, error: Exception) -> JSONResponse:
    return _problem(401, str(error), {"WWW-Authenticate": "Bearer"})


def _invalid_config(_: Request, __: Exception) -> JSONResponse:
    return _problem(503, "Sojourn's configuration is invalid; an administrator must fix it")


def _status(status: int) -> Any:
    def handler(_: Request, error: Exception) -> JSONResponse:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        return _problem(status, str(message))

    return handler


def _invalid_input(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = [
        {
            "loc": [part if isinstance(part, int) else capped(str(part), 64) for part in p.get("loc", ())],
            "msg": capped(str(p.get("msg", "invalid")), 200),
            "type": capped(str(p.get("type", "value_error")), 64),
        }
        for p in error.errors()[:MAX_PROBLEMS]
    ]
    return JSONResponse({"detail": problems}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    """Map each refusal to its status; a ValueError from a use case is a 422."""
    app.add_exception_handler(RequestValidationError, _invalid_input)
    app.add_exception_handler(Unauthenticated, _unauthenticated)
    app.add_exception_handler(TokenRejected, _unauthenticated)
    for refused in (Forbidden, SelfApproval, NotEligible, TokenNotAllowed, NotTheReviewer):
        app.add_exception_handler(refused, _status(403))
    app.add_exception_handler(IllegalTransition, _status(409))
    app.add_exception_handler(ReviewRefused, _status(409))
    app.add_exception_handler(CampaignNotFound, _status(404))
    app.add_exception_handler(ReviewsUnavailable, _status(404))
    for missing in (RequestNotFound, TokenNotFound):
        app.add_exception_handler(missing, _status(404))
    app.add_exception_handler(ValueError, _status(422))
    app.add_exception_handler(ConfigInvalid, _invalid_config)
