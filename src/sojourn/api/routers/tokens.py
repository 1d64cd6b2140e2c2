"""API tokens for automation or for a person, issued and revoked by administrators, shown once.

A token that issues or revokes tokens stays within its own scopes, roles and lifetime; both are audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from sojourn.api.auth_tokens import issuer_of
from sojourn.api.callers import Role, require
from sojourn.api.dependencies import CurrentUser, TokensDep
from sojourn.api.errors import ERRORS
from sojourn.api.routers.convert import span
from sojourn.api.schemas import Problem, TokenIn, TokenInfoOut, TokenOut, TokenRevokeIn
from sojourn.service.ports.tokens import TokenRecord

router = APIRouter(tags=["tokens"])
TokenId = Annotated[str, Path(pattern=r"^[a-f0-9]{16}$", description="the id shown when it was issued")]


def token_info(record: TokenRecord) -> TokenInfoOut:
    return TokenInfoOut(
        token_id=record.token_id,
        name=record.name,
        roles=sorted(record.roles),
        scopes=sorted(record.scopes),
        person=record.person,
        issued_by=record.issued_by,
        created_at=record.created_at,
        expires_at=record.expires_at,
        revoked_at=record.revoked_at,
    )


@router.post("/v1/tokens", status_code=201, responses={**ERRORS, 422: {"model": Problem}})
def create_token(body: TokenIn, who: CurrentUser, tokens: TokensDep) -> TokenOut:
    require(who, Role.ADMIN, scope="tokens:admin")
    issued = tokens.issue(
        body.name, body.roles, body.scopes, span(body.expires_in), issuer_of(who), person=body.person
    )
    record = issued.record
    return TokenOut(
        token=issued.plaintext, token_id=record.token_id, expires_at=record.expires_at, person=record.person
    )


@router.get("/v1/tokens", responses=ERRORS)
def list_tokens(who: CurrentUser, tokens: TokensDep) -> list[TokenInfoOut]:
    require(who, Role.ADMIN, scope="tokens:admin")
    return [token_info(t) for t in tokens.list_tokens()]


@router.post(
    "/v1/tokens/{token_id}/revoke",
    responses={**ERRORS, 404: {"model": Problem}, 422: {"model": Problem}},
)
def revoke_token(token_id: TokenId, body: TokenRevokeIn, who: CurrentUser, tokens: TokensDep) -> TokenInfoOut:
    require(who, Role.ADMIN, scope="tokens:admin")
    return token_info(tokens.revoke(token_id, issuer_of(who), body.reason))
