"""What a person may ask for, their requests, and cancelling one."""

from __future__ import annotations

from fastapi import APIRouter

from sojourn.api.auth_tokens import audit_on_behalf
from sojourn.api.callers import Role, require
from sojourn.api.dependencies import CurrentUser, JitDep, TokensDep
from sojourn.api.errors import ERRORS, ON_REQUEST
from sojourn.api.routers.convert import RequestId, request_out, sees_all, span
from sojourn.api.schemas import EligibilityOut, Problem, RequestIn, RequestOut
from sojourn.service.request_visibility import visible_request, visible_requests

router = APIRouter(tags=["requests"])


@router.get("/v1/eligibility", responses=ERRORS)
def eligibility(who: CurrentUser, jit: JitDep) -> list[EligibilityOut]:
    require(who, Role.REQUESTER)
    return [
        EligibilityOut(
            rule=e.terms.rule,
            permission_set=e.terms.permission_set,
            accounts=sorted(e.accounts),
            max_duration_seconds=int(e.terms.max_duration.total_seconds()),
            approvers=sorted(e.approvers),
            approvals_required=e.terms.approvals_required,
            break_glass=e.terms.break_glass,
            auto_approve=e.terms.auto_approve,
        )
        for e in jit.eligible(who.user_name)
    ]


@router.post("/v1/requests", status_code=201, responses=ERRORS)
def create_request(body: RequestIn, who: CurrentUser, jit: JitDep, tokens: TokensDep) -> RequestOut:
    require(who, Role.REQUESTER, scope="requests:write")
    made = jit.request(
        who.user_name,
        body.permission_set,
        tuple(body.accounts),
        span(body.duration),
        body.reason,
        body.ticket,
        body.break_glass,
    )
    audit_on_behalf(who, tokens, "request", made.id)
    return request_out(made)


@router.get("/v1/requests", responses=ERRORS)
def list_requests(who: CurrentUser, jit: JitDep) -> list[RequestOut]:
    require(who, Role.REQUESTER, Role.APPROVER, Role.ADMIN, Role.AUDITOR)
    return [request_out(r) for r in visible_requests(jit, who.user_name, sees_all(who))]


@router.get("/v1/requests/{request_id}", responses={**ERRORS, 404: {"model": Problem}})
def get_request(request_id: RequestId, who: CurrentUser, jit: JitDep) -> RequestOut:
    return request_out(visible_request(jit, request_id, who.user_name, sees_all(who)))


@router.post("/v1/requests/{request_id}/cancel", responses=ON_REQUEST)
def cancel(request_id: RequestId, who: CurrentUser, jit: JitDep, tokens: TokensDep) -> RequestOut:
    require(who, Role.REQUESTER, scope="requests:write")
    done = jit.cancel(request_id, who.user_name)
    audit_on_behalf(who, tokens, "cancel", done.id)
    return request_out(done)
