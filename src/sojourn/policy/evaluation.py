"""AWS's policy evaluation logic: a request against every policy type, with the reason for the answer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sojourn.policy.compiled import CompiledPolicy, Request, compile_policy
from sojourn.policy.model import Effect, Policy
from sojourn.policy.requester import (
    EvaluationRequest,
    Grant,
    PrincipalType,
    account_of,
    as_asked,
    derived_keys,
    is_role,
    is_session,
    principal_grant,
    resource_is_pattern,
)
from sojourn.policy.service_rules import (
    ALWAYS_ALLOWED,
    needs_resource_policy,
    owned_by_aws,
    same_account_only,
)


class Outcome(StrEnum):
    """The three answers AWS gives."""

    ALLOWED = "Allowed"
    IMPLICITLY_DENIED = "ImplicitlyDenied"
    EXPLICITLY_DENIED = "ExplicitlyDenied"


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


Found = tuple[list[StatementRef], list[StatementRef]]
"""The Allow and the Deny statements of one policy type that match a request."""


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


def evaluate(
    request: EvaluationRequest, policies: PolicySet | CompiledPolicySet, discovery: Discovery | None = None
) -> Decision:
    """Decide as AWS does: explicit deny first, then every gate that must allow, then the grants."""
    compiled = compile_policy_set(policies) if isinstance(policies, PolicySet) else policies
    request = as_asked(request)
    action = request.action.lower()
    if action in ALWAYS_ALLOWED:
        return Decision(Outcome.ALLOWED, None, (), f"{request.action} needs no permission")
    prepared = _prepare(request, discovery)
    iam_principal = request.principal_type is PrincipalType.AWS
    # A resource policy's Deny with NotPrincipal denies every principal that has a permissions boundary,
    # whatever it names (IAM User Guide, "Permissions boundaries for IAM entities").
    bounded = iam_principal and bool(compiled.boundary)

    def look(label: str, group: Iterable[CompiledPolicy], principal_check: bool) -> Found:
        allows: list[StatementRef] = []
        denies: list[StatementRef] = []
        not_principal_is_everyone = bounded and label == "resource"
        for policy in group:
            for statement in policy.candidates(action):
                deny = statement.effect is Effect.DENY
                everyone = not_principal_is_everyone and deny
                if principal_check and principal_grant(statement, request, everyone) is None:
                    continue
                if statement.applies(prepared):
                    (denies if deny else allows).append(
                        StatementRef(label, policy.source, statement.index, statement.sid)
                    )
        return allows, denies

    # SCPs bind only the IAM principals of member accounts. Every RCP level holds RCPFullAWSAccess, which
    # cannot be detached and is the only Allow an RCP may have, so RCPs only ever deny.
    gates: list[tuple[str, list[Found], bool]] = []
    if iam_principal and compiled.scps:
        gates.append(("scp", [look("scp", level, False) for level in compiled.scps], True))
    if compiled.rcps:
        gates.append(("rcp", [look("rcp", level, True) for level in compiled.rcps], False))
    if compiled.endpoint is not None:
        gates.append(("vpce", [look("vpce", compiled.endpoint, True)], True))
    identity = look("identity", compiled.identity if iam_principal else (), False)
    resource = look("resource", compiled.resource, True)
    boundary = look("pb", compiled.boundary or (), False) if bounded else None
    in_session = compiled.session is not None and iam_principal
    session = look("session", compiled.session or (), False) if in_session else None

    for label, levels, _ in gates:
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
    for label, levels, must_allow in gates:
        if must_allow and any(not allows for allows, _ in levels):
            return _implicit(label, f"no {label} statement allows {request.action}", prepared)
    if owned_by_aws(request.resource, action):
        return Decision(
            Outcome.IMPLICITLY_DENIED,
            None,
            (),
            "AWS managed policies, roles under /aws-reserved/ and aliases under alias/aws/ cannot be changed",
            (),
        )
    return _grants(request, compiled, identity, resource, boundary, session, prepared)


def _grants(
    request: EvaluationRequest,
    compiled: CompiledPolicySet,
    identity: Found,
    resource: Found,
    boundary: Found | None,
    session: Found | None,
    prepared: Request,
) -> Decision:
    action = request.action.lower()
    grant = _best_resource_grant(compiled, request, prepared, action)
    identity_allows = bool(identity[0])
    principal_account = request.principal_account or account_of(request.principal)
    same_account = request.resource_account is None or principal_account == request.resource_account
    direct = grant in (Grant.WILDCARD, Grant.EXACT, Grant.ROLE_OF_SESSION)
    if request.principal_type is PrincipalType.ANONYMOUS:
        via_identity, via_resource = False, grant is Grant.WILDCARD
    elif request.principal_type is PrincipalType.SERVICE:
        # A service principal has no identity policies: only a resource or trust policy naming it grants.
        via_identity, via_resource = False, grant in (Grant.WILDCARD, Grant.EXACT)
    elif not same_account:
        if same_account_only(action):
            return _implicit(None, f"{request.action} works only within the caller's account", prepared)
        via_identity, via_resource = identity_allows and grant is not None, False
    else:
        needs_policy = needs_resource_policy(action, request.resource, prepared.resource_pattern)
        via_identity = identity_allows and (not needs_policy or grant is not None)
        via_resource = direct
    if not (via_identity or via_resource):
        return _implicit(None, f"nothing allows {request.action} on {request.resource}", prepared)
    boundary_ok = boundary is None or bool(boundary[0])
    session_ok = session is None or bool(session[0])
    # A grant naming a user or a session (or everyone) directly is not limited by the boundary, and one
    # naming the session itself not by the session policy (IAM User Guide, "Session policies").
    resource_boundary_ok = (
        boundary_ok or grant is Grant.WILDCARD or (grant is Grant.EXACT and not is_role(request))
    )
    resource_session_ok = session_ok or (grant is Grant.EXACT and is_session(request))
    by_identity = via_identity and boundary_ok and session_ok
    by_resource = via_resource and resource_boundary_ok and resource_session_ok
    if not (by_identity or by_resource):
        blocked = "pb" if not (boundary_ok if via_identity else resource_boundary_ok) else "session"
        reason = "the permissions boundary" if blocked == "pb" else "the session policy"
        return _implicit(blocked, f"{reason} does not allow it", prepared)
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


def _implicit(blocked_by: str | None, reason: str, prepared: Request) -> Decision:
    return Decision(Outcome.IMPLICITLY_DENIED, blocked_by, (), reason, prepared.ignored_tuple())


def _best_resource_grant(
    compiled: CompiledPolicySet, request: EvaluationRequest, prepared: Request, action: str
) -> Grant | None:
    best: Grant | None = None
    for policy in compiled.resource:
        for statement in policy.candidates(action):
            if statement.effect is not Effect.ALLOW:
                continue
            grant = principal_grant(statement, request)
            if (
                grant is not None
                and statement.applies(prepared)
                and (best is None or grant.value < best.value)
            ):
                best = grant
    return best


def prepared(request: EvaluationRequest) -> Request:
    """The request as statements are matched against it, with the keys AWS derives from the caller."""
    return _prepare(as_asked(request), None)


def _prepare(request: EvaluationRequest, discovery: Discovery | None) -> Request:
    context: dict[str, tuple[str, ...]] = {}
    for key, value in request.context.items():
        context[key.lower()] = (value,) if isinstance(value, str) else tuple(value)
    for key, value in derived_keys(request).items():
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
        resource_is_pattern(request),
    )
