"""Approving and denying a request (never one's own)."""

from __future__ import annotations

from fastapi import APIRouter

from sojourn.api.auth_tokens import audit_on_behalf
from sojourn.api.callers import Role, require
from sojourn.api.dependencies import CurrentUser, JitDep, TokensDep
from sojourn.api.errors import ON_REQUEST
from sojourn.api.routers.convert import RequestId, request_out
from sojourn.api.schemas import CommentIn, RequestOut

router = APIRouter(tags=["approvals"])


@router.post("/v1/requests/{request_id}/approve", responses=ON_REQUEST, name="approve")
def approve(
    request_id: RequestId, body: CommentIn, who: CurrentUser, jit: JitDep, tokens: TokensDep
) -> RequestOut:
    require(who, Role.APPROVER, Role.ADMIN, scope="approvals:write")
    done = jit.approve(request_id, who.user_name, body.comment)
    audit_on_behalf(who, tokens, "approve", done.id)
    return request_out(done)


@router.post("/v1/requests/{request_id}/deny", responses=ON_REQUEST, name="deny")
def deny(
    request_id: RequestId, body: CommentIn, who: CurrentUser, jit: JitDep, tokens: TokensDep
) -> RequestOut:
    require(who, Role.APPROVER, Role.ADMIN, scope="approvals:write")
    done = jit.deny(request_id, who.user_name, body.comment)
    audit_on_behalf(who, tokens, "deny", done.id)
    return request_out(done)
