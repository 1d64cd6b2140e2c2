"""Approving and denying a request (never one's own)."""

from __future__ import annotations

from fastapi import APIRouter

from sojourn.api.callers import Role, require
from sojourn.api.dependencies import CurrentUser, JitDep
from sojourn.api.errors import ON_REQUEST
from sojourn.api.routers.convert import request_out
from sojourn.api.schemas import CommentIn, RequestOut

router = APIRouter(tags=["approvals"])


@router.post("/v1/requests/{request_id}/approve", responses=ON_REQUEST, name="approve")
def approve(request_id: str, body: CommentIn, who: CurrentUser, jit: JitDep) -> RequestOut:
    require(who, Role.APPROVER, Role.ADMIN, scope="approvals:write")
    return request_out(jit.approve(request_id, who.user_name, body.comment))


@router.post("/v1/requests/{request_id}/deny", responses=ON_REQUEST, name="deny")
def deny(request_id: str, body: CommentIn, who: CurrentUser, jit: JitDep) -> RequestOut:
    require(who, Role.APPROVER, Role.ADMIN, scope="approvals:write")
    return request_out(jit.deny(request_id, who.user_name, body.comment))
