"""The HTTP API: requests, approvals, grants, revocation, eligibility, audit and tokens.

Every route but /health needs a bearer credential (an OpenID Connect token or a Sojourn API token) and a
role; anything not allowed is refused (deny by default). Nobody approves their own request.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse

from sojourn import __version__
from sojourn.access.config_model import span_minutes
from sojourn.access.issues import ConfigInvalid
from sojourn.api.auth_oidc import OidcVerifier
from sojourn.api.auth_tokens import check_token, issue_token
from sojourn.api.callers import Caller, Forbidden, Role, Unauthenticated, require
from sojourn.api.schemas import (
    AuditOut,
    CommentIn,
    EligibilityOut,
    ExtendIn,
    Problem,
    RequestIn,
    RequestOut,
    RevokeIn,
    TokenIn,
    TokenOut,
)
from sojourn.clock import Clock
from sojourn.service.jit import JitService
from sojourn.store.audit import AuditLog
from sojourn.store.grants import RequestNotFound
from sojourn.store.tokens import TokenStore
from sojourn.workflow.codec import request_to_json
from sojourn.workflow.grant_request import GrantRequest
from sojourn.workflow.opening import NotEligible
from sojourn.workflow.transitions import IllegalTransition, SelfApproval

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "no valid credentials"},
    403: {"model": Problem, "description": "not allowed"},
}


@dataclass
class ApiContext:
    service: JitService
    tokens: TokenStore
    audit: AuditLog
    clock: Clock
    oidc: OidcVerifier | None = None


def _span(text: str) -> timedelta:
    return timedelta(minutes=span_minutes(text))


def _out(request: GrantRequest) -> RequestOut:
    return RequestOut.model_validate(request_to_json(request))


def _visible(caller: Caller, request: GrantRequest) -> bool:
    return (
        caller.user_name == request.person
        or caller.user_name in request.approvers
        or bool(caller.roles & {Role.ADMIN, Role.AUDITOR})
    )


def create_app(context: ApiContext) -> FastAPI:
    app = FastAPI(title="Sojourn", version=__version__, description=__doc__)

    def caller(authorization: Annotated[str | None, Header()] = None) -> Caller:
        if not authorization or not authorization.startswith("Bearer "):
            raise Unauthenticated("send Authorization: Bearer <token>")
        token = authorization.removeprefix("Bearer ").strip()
        if token.startswith("sjt_"):
            return check_token(token, context.tokens, context.clock.now())
        if context.oidc is None:
            raise Unauthenticated("OpenID Connect is not configured; use an API token")
        return context.oidc.verify(token)

    Authenticated = Annotated[Caller, Depends(caller)]
    _handlers(app)

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/eligibility", responses=ERRORS, tags=["requests"])
    def eligibility(who: Authenticated) -> list[EligibilityOut]:
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
            for e in context.service.eligible(who.user_name)
        ]

    @app.post("/v1/requests", status_code=201, responses=ERRORS, tags=["requests"])
    def create_request(body: RequestIn, who: Authenticated) -> RequestOut:
        require(who, Role.REQUESTER, scope="requests:write")
        made = context.service.request(
            who.user_name,
            body.permission_set,
            tuple(body.accounts),
            _span(body.duration),
            body.reason,
            body.ticket,
            body.break_glass,
        )
        return _out(made)

    @app.get("/v1/requests", responses=ERRORS, tags=["requests"])
    def list_requests(who: Authenticated) -> list[RequestOut]:
        require(who, Role.REQUESTER, Role.APPROVER, Role.ADMIN, Role.AUDITOR)
        return [_out(r) for r in context.service.requests() if _visible(who, r)]

    @app.get("/v1/requests/{request_id}", responses={**ERRORS, 404: {"model": Problem}}, tags=["requests"])
    def get_request(request_id: str, who: Authenticated) -> RequestOut:
        found = context.service.get(request_id)
        if not _visible(who, found):
            raise RequestNotFound(f"no request {request_id!r}")
        return _out(found)

    def decide(verb: str) -> Callable[..., RequestOut]:
        def handler(request_id: str, body: CommentIn, who: Authenticated) -> RequestOut:
            require(who, Role.APPROVER, Role.ADMIN, scope="approvals:write")
            act = context.service.approve if verb == "approve" else context.service.deny
            return _out(act(request_id, who.user_name, body.comment))

        return handler

    for verb in ("approve", "deny"):
        app.post(
            f"/v1/requests/{{request_id}}/{verb}",
            responses={**ERRORS, 404: {"model": Problem}, 409: {"model": Problem}},
            tags=["approvals"],
            name=verb,
        )(decide(verb))

    @app.post(
        "/v1/requests/{request_id}/cancel",
        responses={**ERRORS, 404: {"model": Problem}, 409: {"model": Problem}},
        tags=["requests"],
    )
    def cancel(request_id: str, who: Authenticated) -> RequestOut:
        require(who, Role.REQUESTER, scope="requests:write")
        return _out(context.service.cancel(request_id, who.user_name))

    @app.post(
        "/v1/requests/{request_id}/revoke",
        responses={**ERRORS, 404: {"model": Problem}, 409: {"model": Problem}},
        tags=["grants"],
    )
    def revoke(request_id: str, body: RevokeIn, who: Authenticated) -> RequestOut:
        require(who, Role.REQUESTER, Role.APPROVER, Role.ADMIN, scope="grants:revoke")
        admin = Role.ADMIN in who.roles
        return _out(context.service.revoke(request_id, who.user_name, body.reason, admin=admin))

    @app.post(
        "/v1/requests/{request_id}/extend",
        responses={**ERRORS, 404: {"model": Problem}, 409: {"model": Problem}},
        tags=["grants"],
    )
    def extend(request_id: str, body: ExtendIn, who: Authenticated) -> RequestOut:
        require(who, Role.APPROVER, Role.ADMIN, scope="approvals:write")
        admin = Role.ADMIN in who.roles
        return _out(context.service.extend(request_id, who.user_name, _span(body.by), admin=admin))

    @app.get("/v1/audit", responses=ERRORS, tags=["audit"])
    def audit(
        who: Authenticated,
        person: Annotated[str | None, Query(max_length=256)] = None,
        account_id: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
        permission_set: Annotated[str | None, Query(max_length=64)] = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[AuditOut]:
        require(who, Role.AUDITOR, Role.ADMIN, scope="audit:read")
        records = context.audit.query(
            person=person,
            account_id=account_id,
            permission_set=permission_set,
            since=_aware(since),
            until=_aware(until),
        )
        return [
            AuditOut(
                seq=r.seq,
                at=r.event.at,
                actor=r.event.actor,
                action=r.event.action,
                reason=r.event.reason,
                target=r.event.target,
                person=r.event.person,
                account_id=r.event.account_id,
                permission_set=r.event.permission_set,
                hash=r.hash,
            )
            for r in records
        ]

    @app.post("/v1/tokens", status_code=201, responses={**ERRORS, 422: {"model": Problem}}, tags=["tokens"])
    def create_token(body: TokenIn, who: Authenticated) -> TokenOut:
        require(who, Role.ADMIN, scope="tokens:admin")
        now = context.clock.now()
        plaintext, record = issue_token(
            body.name, frozenset(body.roles), frozenset(body.scopes), now + _span(body.expires_in), now
        )
        context.tokens.add(record)
        return TokenOut(token=plaintext, token_id=record.token_id, expires_at=record.expires_at)

    return app


def _aware(value: datetime | None) -> datetime | None:
    from datetime import UTC

    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _handlers(app: FastAPI) -> None:
    def problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)

    @app.exception_handler(Unauthenticated)
    def _unauthenticated(_: Request, error: Unauthenticated) -> JSONResponse:
        return problem(401, str(error), {"WWW-Authenticate": "Bearer"})

    @app.exception_handler(Forbidden)
    def _forbidden(_: Request, error: Forbidden) -> JSONResponse:
        return problem(403, str(error))

    @app.exception_handler(SelfApproval)
    def _self(_: Request, error: SelfApproval) -> JSONResponse:
        return problem(403, str(error))

    @app.exception_handler(NotEligible)
    def _not_eligible(_: Request, error: NotEligible) -> JSONResponse:
        return problem(403, str(error))

    @app.exception_handler(IllegalTransition)
    def _illegal(_: Request, error: IllegalTransition) -> JSONResponse:
        return problem(409, str(error))

    @app.exception_handler(RequestNotFound)
    def _missing(_: Request, error: RequestNotFound) -> JSONResponse:
        return problem(404, str(error))

    @app.exception_handler(ValueError)
    def _invalid(_: Request, error: ValueError) -> JSONResponse:
        return problem(422, str(error))

    @app.exception_handler(ConfigInvalid)
    def _config(_: Request, error: ConfigInvalid) -> JSONResponse:
        return problem(503, "Sojourn's configuration is invalid; an administrator must fix it")
