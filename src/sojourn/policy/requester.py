"""Who asks: the request, its principal, and how a Principal or NotPrincipal element names that principal."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum, StrEnum

from sojourn.policy.compiled import CompiledStatement
from sojourn.policy.model import Principal


class PrincipalType(StrEnum):
    """Who asks: an IAM principal, an anonymous caller or an AWS service."""

    AWS = "AWS"
    ANONYMOUS = "Anonymous"
    SERVICE = "Service"


@dataclass(frozen=True, slots=True)
class EvaluationRequest:
    """One question: may this principal do this action on this resource, in this context?"""

    action: str
    resource: str
    principal: str
    """An IAM user, role or assumed-role session ARN; a service name for SERVICE; ignored for ANONYMOUS."""
    resource_account: str | None = None
    context: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    principal_type: PrincipalType = PrincipalType.AWS
    principal_account: str | None = None
    resource_pattern: bool | None = None
    """Whether `resource` is a pattern, the question being "on some resource matching it?". None: any
    resource holding * or ? except a bare "*", which is the resource of actions that name none."""


class Grant(Enum):
    """How a resource-policy Allow named the caller."""

    WILDCARD = 1
    EXACT = 2
    ROLE_OF_SESSION = 3
    ACCOUNT = 4


SESSION_ARN = re.compile(r"^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role/([^/]+)/(.+)$")
IAM_ARN = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):(user|role|root)(?:/(.*))?$")
SERVICE_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn")


def as_asked(request: EvaluationRequest) -> EvaluationRequest:
    """A service name given as an AWS principal ("lambda.amazonaws.com") is read as the service."""
    if (
        request.principal_type is PrincipalType.AWS
        and request.principal.endswith(SERVICE_SUFFIXES)
        and not request.principal.startswith("arn:")
    ):
        return replace(request, principal_type=PrincipalType.SERVICE)
    return request


def resource_is_pattern(request: EvaluationRequest) -> bool:
    """See EvaluationRequest.resource_pattern."""
    if request.resource_pattern is not None:
        return request.resource_pattern
    return request.resource != "*" and ("*" in request.resource or "?" in request.resource)


def principal_grant(
    statement: CompiledStatement, request: EvaluationRequest, not_principal_matches_all: bool = False
) -> Grant | None:
    """How the statement's Principal names the caller (None: it does not). With not_principal_matches_all,
    a NotPrincipal names everyone (a Deny with NotPrincipal for a principal with a permissions boundary)."""
    if statement.principals is not None:
        return _match_principals(statement.principals, request)
    if statement.not_principals is not None:
        if not_principal_matches_all:
            return Grant.WILDCARD
        return None if _match_principals(statement.not_principals, request) is not None else Grant.WILDCARD
    return Grant.WILDCARD if statement.principal_optional else None


def _match_principals(principals: tuple[Principal, ...], request: EvaluationRequest) -> Grant | None:
    best: Grant | None = None
    for principal in principals:
        grant = _match_principal(principal, request)
        if grant is not None and (best is None or grant.value < best.value):
            best = grant
    return best


def _match_principal(principal: Principal, request: EvaluationRequest) -> Grant | None:
    if principal.kind == "*" or (principal.kind == "AWS" and principal.value == "*"):
        return Grant.WILDCARD
    if request.principal_type is PrincipalType.ANONYMOUS:
        return None
    if principal.kind == "Service":
        service = request.principal_type is PrincipalType.SERVICE
        return Grant.EXACT if service and principal.value == request.principal else None
    if principal.kind != "AWS" or request.principal_type is not PrincipalType.AWS:
        return Grant.EXACT if principal.value == request.principal else None
    value = principal.value
    account = request.principal_account or account_of(request.principal)
    if value == account or value == f"arn:aws:iam::{account}:root":
        return Grant.ACCOUNT
    if value == request.principal:
        return Grant.EXACT
    session = SESSION_ARN.match(request.principal)
    if session and value == f"arn:{session.group(1)}:iam::{session.group(2)}:role/{session.group(3)}":
        return Grant.ROLE_OF_SESSION
    if session and re.fullmatch(
        rf"arn:{session.group(1)}:iam::{session.group(2)}:role/(.+/)?{session.group(3)}", value
    ):
        return Grant.ROLE_OF_SESSION
    return None


def account_of(arn: str) -> str | None:
    """The account segment of an ARN, if it has one."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[4] else None


def is_session(request: EvaluationRequest) -> bool:
    """The caller is an STS session (assumed role or federated user)."""
    return request.principal.startswith("arn:") and ":sts::" in request.principal


def is_role(request: EvaluationRequest) -> bool:
    """The caller is named by a role ARN."""
    match = IAM_ARN.match(request.principal)
    return bool(match and match.group(3) == "role")


def derived_keys(request: EvaluationRequest) -> dict[str, str]:
    """Global condition keys AWS sets from the caller itself (lower-case names)."""
    keys: dict[str, str] = {}
    if request.principal_type is PrincipalType.SERVICE:
        # IAM User Guide, global condition keys: aws:PrincipalServiceName and aws:PrincipalIsAWSService.
        return {"aws:principalservicename": request.principal, "aws:principalisawsservice": "true"}
    if request.principal_type is not PrincipalType.AWS:
        return keys
    account = request.principal_account or account_of(request.principal)
    if account:
        keys["aws:principalaccount"] = account
    iam = IAM_ARN.match(request.principal)
    session = SESSION_ARN.match(request.principal)
    if iam and iam.group(3) == "user" and iam.group(4):
        keys["aws:username"] = iam.group(4).rsplit("/", 1)[-1]
        keys["aws:principalarn"] = request.principal
    elif session:
        keys["aws:principalarn"] = f"arn:{session.group(1)}:iam::{session.group(2)}:role/{session.group(3)}"
    elif iam:
        keys["aws:principalarn"] = request.principal
    return keys
