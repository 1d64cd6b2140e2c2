"""Revoking a grant early and extending one."""

from __future__ import annotations

from fastapi import APIRouter

from sojourn.api.callers import Role, require
from sojourn.api.dependencies import CurrentUser, JitDep
from sojourn.api.errors import ON_REQUEST
from sojourn.api.routers.convert import request_out, span
from sojourn.api.schemas import ExtendIn, RequestOut, RevokeIn

router = APIRouter(tags=["grants"])


@router.post("/v1/requests/{request_id}/revoke", responses=ON_REQUEST)
def revoke(request_id: str, body: RevokeIn, who: CurrentUser, jit: JitDep) -> RequestOut:
    require(who, Role.REQUESTER, Role.APPROVER, Role.ADMIN, scope="grants:revoke")
    admin = Role.ADMIN in who.roles
    return request_out(jit.revoke(request_id, who.user_name, body.reason, admin=admin))


@router.post("/v1/requests/{request_id}/extend", responses=ON_REQUEST)
def extend(request_id: str, body: ExtendIn, who: CurrentUser, jit: JitDep) -> RequestOut:
    require(who, Role.APPROVER, Role.ADMIN, scope="approvals:write")
    admin = Role.ADMIN in who.roles
    return request_out(jit.extend(request_id, who.user_name, span(body.by), admin=admin))
