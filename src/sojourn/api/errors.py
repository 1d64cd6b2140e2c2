"""How refusals and failures of the use cases become HTTP problems (status and a `detail` message)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from sojourn.access.issues import ConfigInvalid
from sojourn.api.callers import Forbidden, Unauthenticated
from sojourn.api.schemas import Problem
from sojourn.service.request_visibility import RequestNotFound
from sojourn.service.tokens import TokenRejected
from sojourn.workflow.opening import NotEligible
from sojourn.workflow.transitions import IllegalTransition, SelfApproval

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


def _problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _unauthenticated(_: Request, error: Exception) -> JSONResponse:
    return _problem(401, str(error), {"WWW-Authenticate": "Bearer"})


def _invalid_config(_: Request, __: Exception) -> JSONResponse:
    return _problem(503, "Sojourn's configuration is invalid; an administrator must fix it")


def _status(status: int) -> Any:
    def handler(_: Request, error: Exception) -> JSONResponse:
        return _problem(status, str(error))

    return handler


def install_error_handlers(app: FastAPI) -> None:
    """Map each refusal to its status; a ValueError from a use case is a 422."""
    app.add_exception_handler(Unauthenticated, _unauthenticated)
    app.add_exception_handler(TokenRejected, _unauthenticated)
    for refused in (Forbidden, SelfApproval, NotEligible):
        app.add_exception_handler(refused, _status(403))
    app.add_exception_handler(IllegalTransition, _status(409))
    app.add_exception_handler(RequestNotFound, _status(404))
    app.add_exception_handler(ValueError, _status(422))
    app.add_exception_handler(ConfigInvalid, _invalid_config)
