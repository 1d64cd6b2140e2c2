"""AWS's policy evaluation logic: a request against every policy type, with the reason for the answer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum

from sojourn.policy.compiled import CompiledPolicy, CompiledStatement, Request, compile_policy
from sojourn.policy.model import Effect, Policy, Principal


class Outcome(StrEnum):
    """The three answers AWS gives."""

    ALLOWED = "Allowed"
    IMPLICITLY_DENIED = "ImplicitlyDenied"
    EXPLICITLY_DENIED = "ExplicitlyDenied"


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


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Every policy that applies to a request, by type; None means that type is not in play."""

    identity: tuple[Policy, ...] = ()
    resource: tuple[Policy, ...] = ()
    scps: tuple[tuple[Policy, ...], ...] = ()
    """One inner tuple per level (root, each OU, the account); every level must allow."""
    rcps: tuple[tuple[Policy, ...], ...] = ()
    boundary: tuple[Policy, ...] | None = None
    session: tuple[Policy, ...] | None = None
    endpoint: tuple[Policy, ...] | None = None


@dataclass(frozen=True, slots=True)
class StatementRef:
    """A statement that decided an answer: policy type, policy source, index and Sid."""

    policy_type: str
    source: str
    index: int
    sid: str | None

    def __str__(self) -> str:
        label = f" ({self.sid})" if self.sid else ""
        return f"{self.policy_type} {self.source} Statement[{self.index}]{label}"


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer, the statements that decided it and, when denied, the policy type that blocked it."""

    outcome: Outcome
    blocked_by: str | None
    deciding: tuple[StatementRef, ...]
    reason: str
    ignored_conditions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Discovery:
    """Treat conditions on unknown keys as satisfiable and report them (what would it take?)."""

    unknown_keys: frozenset[str] | None = None
    """Lower-case keys to treat as unknown; None means every key absent from the request context."""
    denies_avoidable: bool = False
    """An upper bound ("who could?"): a Deny whose condition needs an unknown key does not apply, since
    some request avoids it; what that takes is reported beside the Allow conditions."""


@dataclass(frozen=True, slots=True)
class CompiledPolicySet:
    """A PolicySet compiled for repeated questions (see compile_policy_set)."""

    identity: tuple[CompiledPolicy, ...]
    resource: tuple[CompiledPolicy, ...]
    scps: tuple[tuple[CompiledPolicy, ...], ...]
    rcps: tuple[tuple[CompiledPolicy, ...], ...]
    boundary: tuple[CompiledPolicy, ...] | None
    session: tuple[CompiledPolicy, ...] | None
    endpoint: tuple[CompiledPolicy, ...] | None


def compile_policy_set(policies: PolicySet) -> CompiledPolicySet:
    """Index every statement by service so that each question touches only the statements that could apply."""

    def many(items: Iterable[Policy]) -> tuple[CompiledPolicy, ...]:
        return tuple(compile_policy(p) for p in items)

    return CompiledPolicySet(
        many(policies.identity),
        many(policies.resource),
        tuple(many(level) for level in policies.scps),
        tuple(many(level) for level in policies.rcps),
        None if policies.boundary is None else many(policies.boundary),
        None if policies.session is None else many(policies.session),
        None if policies.endpoint is None else many(policies.endpoint),
    )


class Grant(Enum):
    """How a resource-policy Allow named the caller."""

    WILDCARD = 1
    EXACT = 2
    ROLE_OF_SESSION = 3
    ACCOUNT = 4


ALWAYS_ALLOWED = frozenset({"sts:getcalleridentity"})
RESOURCE_POLICY_REQUIRED = ("kms:", "sts:assumerole")
READ_VERBS = ("get", "list", "generate", "simulate")
SESSION_ARN = re.compile(r"^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role/([^/]+)/(.+)$")
IAM_ARN = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):(user|role|root)(?:/(.*))?$")


def evaluate(
    request: EvaluationRequest, policies: PolicySet | CompiledPolicySet, discovery: Discovery | None = None
) -> Decision:
    """Decide as AWS does: explicit deny first, then every gate that must allow, then the grants."""
    compiled = compile_policy_set(policies) if isinstance(policies, PolicySet) else policies
    action = request.action.lower()
    if action in ALWAYS_ALLOWED:
        return Decision(Outcome.ALLOWED, None, (), f"{request.action} needs no permission")
    prepared = _prepare(request, discovery)
    anonymous = request.principal_type is PrincipalType.ANONYMOUS
    matched: dict[str, tuple[list[StatementRef], list[StatementRef]]] = {}

    def look(
        label: str, group: Iterable[CompiledPolicy], principal_check: bool
    ) -> tuple[list[StatementRef], list[StatementRef]]:
        allows: list[StatementRef] = []
        denies: list[StatementRef] = []
        for policy in group:
            for statement in policy.candidates(action):
                if principal_check and _principal_grant(statement, request) is None:
                    continue
                if statement.applies(prepared):
                    target = allows if statement.effect is Effect.ALLOW else denies
                    target.append(StatementRef(label, policy.source, statement.index, statement.sid))
        matched[label] = (allows, denies)
        return allows, denies

    gates: list[tuple[str, list[tuple[list[StatementRef], list[StatementRef]]]]] = []
    if not anonymous and compiled.scps:
        gates.append(("scp", [look("scp", level, False) for level in compiled.scps]))
    rcp_levels = [level for level in compiled.rcps if level]
    if rcp_levels:
        gates.append(("rcp", [look("rcp", level, True) for level in rcp_levels]))
    if compiled.endpoint is not None:
        gates.append(("vpce", [look("vpce", compiled.endpoint, True)]))
    identity = look("identity", () if anonymous else compiled.identity, False)
    resource = look("resource", compiled.resource, True)
    boundary = look("pb", compiled.boundary, False) if compiled.boundary and not anonymous else None
    session = (
        look("session", compiled.session, False) if compiled.session is not None and not anonymous else None
    )

    for label, levels in gates:
        for _, denies in levels:
            if denies:
                return _deny(label, denies, prepared)
    for label, found in (
        ("identity", identity),
        ("resource", resource),
        ("pb", boundary),
        ("session", session),
    ):
        if found is not None and found[1]:
            return _deny(label, found[1], prepared)
    for label, levels in gates:
        if any(not allows for allows, _ in levels):
            return Decision(
                Outcome.IMPLICITLY_DENIED,
                label,
                (),
                f"no {label} statement allows {request.action}",
                prepared.ignored_tuple(),
            )
    if _owned_by_aws(request.resource, action):
        return Decision(
            Outcome.IMPLICITLY_DENIED,
            None,
            (),
            "AWS managed policies and roles under /aws-reserved/ can only be read",
            (),
        )
    return _grants(request, compiled, identity, resource, boundary, session, prepared)


def _grants(
    request: EvaluationRequest,
    compiled: CompiledPolicySet,
    identity: tuple[list[StatementRef], list[StatementRef]],
    resource: tuple[list[StatementRef], list[StatementRef]],
    boundary: tuple[list[StatementRef], list[StatementRef]] | None,
    session: tuple[list[StatementRef], list[StatementRef]] | None,
    prepared: Request,
) -> Decision:
    action = request.action.lower()
    anonymous = request.principal_type is PrincipalType.ANONYMOUS
    grant = _best_resource_grant(compiled, request, prepared, action)
    identity_allows = bool(identity[0])
    principal_account = request.principal_account or _account_of(request.principal)
    same_account = request.resource_account is None or principal_account == request.resource_account
    direct = grant in (Grant.WILDCARD, Grant.EXACT, Grant.ROLE_OF_SESSION)
    if anonymous:
        via_identity, via_resource = False, grant is Grant.WILDCARD
    elif not same_account:
        via_identity, via_resource = identity_allows and grant is not None, False
    else:
        needs_resource_policy = action.startswith(RESOURCE_POLICY_REQUIRED)
        via_identity = identity_allows and (not needs_resource_policy or grant is not None)
        via_resource = direct
    if not (via_identity or via_resource):
        return Decision(
            Outcome.IMPLICITLY_DENIED,
            None,
            (),
            f"nothing allows {request.action} on {request.resource}",
            prepared.ignored_tuple(),
        )
    boundary_ok = boundary is None or bool(boundary[0])
    session_ok = session is None or bool(session[0])
    # A grant naming a user or a session (or everyone) directly is not limited by the boundary, and one
    # naming the session itself not by the session policy (IAM User Guide, "Session policies").
    resource_boundary_ok = (
        boundary_ok or grant is Grant.WILDCARD or (grant is Grant.EXACT and not _is_role(request))
    )
    resource_session_ok = session_ok or (grant is Grant.EXACT and _is_session(request))
    by_identity = via_identity and boundary_ok and session_ok
    by_resource = via_resource and resource_boundary_ok and resource_session_ok
    if not (by_identity or by_resource):
        blocked = "pb" if not (boundary_ok if via_identity else resource_boundary_ok) else "session"
        reason = "the permissions boundary" if blocked == "pb" else "the session policy"
        return Decision(
            Outcome.IMPLICITLY_DENIED, blocked, (), f"{reason} does not allow it", prepared.ignored_tuple()
        )
    deciding = tuple((identity[0] if by_identity else []) + (resource[0] if by_resource else []))
    return Decision(
        Outcome.ALLOWED,
        None,
        deciding,
        "allowed by " + ", ".join(str(d) for d in deciding),
        prepared.ignored_tuple(),
    )


def _deny(label: str, denies: list[StatementRef], prepared: Request) -> Decision:
    return Decision(
        Outcome.EXPLICITLY_DENIED,
        label,
        tuple(denies),
        "explicitly denied by " + ", ".join(str(d) for d in denies),
        prepared.ignored_tuple(),
    )


def _best_resource_grant(
    compiled: CompiledPolicySet, request: EvaluationRequest, prepared: Request, action: str
) -> Grant | None:
    best: Grant | None = None
    for policy in compiled.resource:
        for statement in policy.candidates(action):
            if statement.effect is not Effect.ALLOW:
                continue
            grant = _principal_grant(statement, request)
            if (
                grant is not None
                and statement.applies(prepared)
                and (best is None or grant.value < best.value)
            ):
                best = grant
    return best


def _principal_grant(statement: CompiledStatement, request: EvaluationRequest) -> Grant | None:
    if statement.principals is not None:
        return _match_principals(statement.principals, request)
    if statement.not_principals is not None:
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
    account = request.principal_account or _account_of(request.principal)
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


def _account_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[4] else None


def _is_session(request: EvaluationRequest) -> bool:
    return request.principal.startswith("arn:") and ":sts::" in request.principal


def _is_role(request: EvaluationRequest) -> bool:
    match = IAM_ARN.match(request.principal)
    return bool(match and match.group(3) == "role")


def _owned_by_aws(resource: str, action: str) -> bool:
    """AWS managed policies and Identity Center's reserved roles cannot be changed by anyone."""
    if not action.startswith("iam:"):
        return False
    owned = resource.startswith("arn:aws:iam::aws:policy/") or ":role/aws-reserved/" in resource
    return owned and not action.split(":", 1)[1].startswith(READ_VERBS)


def _prepare(request: EvaluationRequest, discovery: Discovery | None) -> Request:
    context: dict[str, tuple[str, ...]] = {}
    for key, value in request.context.items():
        context[key.lower()] = (value,) if isinstance(value, str) else tuple(value)
    derived = _derived_keys(request)
    for key, value in derived.items():
        context.setdefault(key, (value,))
    unknown = None
    if discovery is not None:
        unknown = discovery.unknown_keys if discovery.unknown_keys is not None else frozenset()
    return Request(
        request.action.lower(),
        request.resource,
        context,
        unknown,
        discovery is not None and discovery.unknown_keys is None,
        discovery is not None and discovery.denies_avoidable,
    )


def _derived_keys(request: EvaluationRequest) -> dict[str, str]:
    keys: dict[str, str] = {}
    if request.principal_type is not PrincipalType.AWS:
        return keys
    account = request.principal_account or _account_of(request.principal)
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
