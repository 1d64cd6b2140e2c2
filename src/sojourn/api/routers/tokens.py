"""API tokens for automation, issued by administrators and shown once."""

from __future__ import annotations

from fastapi import APIRouter

from sojourn.api.callers import Role, require
from sojourn.api.dependencies import CurrentUser, TokensDep
from sojourn.api.errors import ERRORS
from sojourn.api.routers.convert import span
from sojourn.api.schemas import Problem, TokenIn, TokenOut

router = APIRouter(tags=["tokens"])


@router.post("/v1/tokens", status_code=201, responses={**ERRORS, 422: {"model": Problem}})
def create_token(body: TokenIn, who: CurrentUser, tokens: TokensDep) -> TokenOut:
    require(who, Role.ADMIN, scope="tokens:admin")
    issued = tokens.issue(body.name, body.roles, body.scopes, span(body.expires_in))
    record = issued.record
    return TokenOut(token=issued.plaintext, token_id=record.token_id, expires_at=record.expires_at)
