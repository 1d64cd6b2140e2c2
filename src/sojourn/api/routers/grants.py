"""Revoking a grant early and extending one."""

from __future__ import annotations

from fastapi import APIRouter

from sojourn.api.auth_tokens import audit_on_behalf
from sojourn.api.callers import Role, require
from sojourn.api.dependencies import CurrentUser, JitDep, TokensDep
from sojourn.api.errors import ON_REQUEST
from sojourn.api.routers.convert import RequestId, request_out, span
from sojourn.api.schemas import ExtendIn, RequestOut, RevokeIn

router = APIRouter(tags=["grants"])


@router.post("/v1/requests/{request_id}/revoke", responses=ON_REQUEST)
def revoke(
    request_id: RequestId, body: RevokeIn, who: CurrentUser, jit: JitDep, tokens: TokensDep
) -> RequestOut:
    require(who, Role.REQUESTER, Role.APPROVER, Role.ADMIN, scope="grants:revoke")
    admin = Role.ADMIN in who.roles
    done = jit.revoke(request_id, who.user_name, body.reason, admin=admin)
    audit_on_behalf(who, tokens, "revoke", done.id)
    return request_out(done)


@router.post("/v1/requests/{request_id}/extend", responses=ON_REQUEST)
def extend(
    request_id: RequestId, body: ExtendIn, who: CurrentUser, jit: JitDep, tokens: TokensDep
) -> RequestOut:
    require(who, Role.APPROVER, Role.ADMIN, scope="approvals:write")
    admin = Role.ADMIN in who.roles
    done = jit.extend(request_id, who.user_name, span(body.by), admin=admin)
    audit_on_behalf(who, tokens, "extend", done.id)
    return request_out(done)
