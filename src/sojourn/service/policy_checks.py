"""Policy files judged one verb at a time: validate against the catalogue, simulate a request, expand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sojourn.analysis.profile import allowed_bits
from sojourn.catalog import ActionCatalog
from sojourn.catalog.global_keys import GLOBAL_CONDITION_KEYS
from sojourn.policy import (
    Decision,
    EvaluationRequest,
    Outcome,
    Policy,
    PolicyIssue,
    PolicyKind,
    PolicySet,
    PrincipalType,
    Severity,
    evaluate,
    validate_policy,
)
from sojourn.policy.context_values import context_problems
from sojourn.policy.unmet import UnmetCondition, unmet_conditions
from sojourn.service.policy_files import parse_file

ANONYMOUS = "anonymous"


class PolicyUnreadable(Exception):
    """A policy file that the verb needs does not parse; `issues` says where and why."""

    def __init__(self, issues: tuple[PolicyIssue, ...]) -> None:
        super().__init__("; ".join(str(i) for i in issues))
        self.issues = issues


@dataclass(frozen=True, slots=True)
class Validation:
    """Every parse and catalogue issue of the files, in file order."""

    files: int
    issues: tuple[PolicyIssue, ...]
    data_version: str

    @property
    def errors(self) -> int:
        return sum(i.severity is Severity.ERROR for i in self.issues)

    @property
    def warnings(self) -> int:
        return len(self.issues) - self.errors


def validate_files(paths: Sequence[Path], kind: PolicyKind, catalog: ActionCatalog) -> Validation:
    """Parse each file as KIND and check it against the action catalogue; one bad file stops nothing."""
    issues: list[PolicyIssue] = []
    for path in paths:
        result = parse_file(path, kind)
        issues += result.issues
        if result.policy is not None:
            issues += validate_policy(result.policy, catalog)
    return Validation(len(paths), tuple(issues), catalog.version)


def read_policies(paths: Sequence[Path], kind: PolicyKind) -> tuple[Policy, ...]:
    """Every file parsed as KIND; the first that does not parse raises PolicyUnreadable."""
    loaded = []
    for path in paths:
        result = parse_file(path, kind)
        if result.policy is None:
            raise PolicyUnreadable(result.issues)
        loaded.append(result.policy)
    return tuple(loaded)


@dataclass(frozen=True, slots=True)
class Simulation:
    """One request and the policy files that govern it (each list in the order AWS applies them)."""

    action: str
    resource: str
    principal: str
    """A principal ARN, or "anonymous"."""
    resource_account: str | None = None
    context: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Condition key -> its values (one value is a plain string, several a list)."""
    identity: Sequence[Path] = ()
    resource_policies: Sequence[Path] = ()
    scps: Sequence[Path] = ()
    """One file per OU level, root first."""
    rcps: Sequence[Path] = ()
    boundary: Sequence[Path] | None = None
    session: Sequence[Path] | None = None
    endpoint: Sequence[Path] | None = None


class ContextInvalid(ValueError):
    """A context value does not fit the type of its key; `problems` says which and why."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class Simulated:
    """The decision, and when nothing allowed the request, the conditions that stood in the way."""

    decision: Decision
    unmet: tuple[UnmetCondition, ...]


def simulate_files(simulation: Simulation) -> Decision:
    """The decision and its reasons; raises PolicyUnreadable or ContextInvalid (see simulate_explained)."""
    return simulate_explained(simulation).decision


def simulate_explained(simulation: Simulation) -> Simulated:
    """The decision with the unmet conditions of an implicit deny; raises PolicyUnreadable for a policy
    file that does not parse and ContextInvalid for a context value of the wrong type (an IP address that
    is not one would otherwise just fail to match)."""
    anonymous = simulation.principal.lower() == ANONYMOUS
    request = EvaluationRequest(
        action=simulation.action,
        resource=simulation.resource,
        principal="" if anonymous else simulation.principal,
        resource_account=simulation.resource_account,
        context={k: v[0] if len(v) == 1 else tuple(v) for k, v in simulation.context.items()},
        principal_type=PrincipalType.ANONYMOUS if anonymous else PrincipalType.AWS,
    )
    assumes = simulation.action.lower().startswith("sts:assumerole")
    resource_kind = PolicyKind.TRUST if assumes else PolicyKind.RESOURCE
    policies = PolicySet(
        identity=read_policies(simulation.identity, PolicyKind.IDENTITY),
        resource=read_policies(simulation.resource_policies, resource_kind),
        scps=tuple((p,) for p in read_policies(simulation.scps, PolicyKind.SCP)),
        rcps=tuple((p,) for p in read_policies(simulation.rcps, PolicyKind.RCP)),
        boundary=_optional(simulation.boundary, PolicyKind.BOUNDARY),
        session=_optional(simulation.session, PolicyKind.SESSION),
        endpoint=_optional(simulation.endpoint, PolicyKind.ENDPOINT),
    )
    every = (
        *policies.identity,
        *policies.resource,
        *(p for level in (*policies.scps, *policies.rcps) for p in level),
        *(policies.boundary or ()),
        *(policies.session or ()),
        *(policies.endpoint or ()),
    )
    problems = context_problems(simulation.context, every, GLOBAL_CONDITION_KEYS)
    if problems:
        raise ContextInvalid(problems)
    decision = evaluate(request, policies)
    unmet = unmet_conditions(request, policies) if decision.outcome is Outcome.IMPLICITLY_DENIED else ()
    return Simulated(decision, unmet)


def _optional(paths: Sequence[Path] | None, kind: PolicyKind) -> tuple[Policy, ...] | None:
    """An absent policy type (None) lets everything through; an empty one would deny."""
    return read_policies(paths, kind) if paths else None


@dataclass(frozen=True, slots=True)
class Expansion:
    """The actions a policy allows, each with its access level, and the count per access level."""

    actions: tuple[tuple[str, str | None], ...]
    profile: Mapping[str, int]


def expand_file(path: Path, catalog: ActionCatalog) -> Expansion:
    """The actions the Allow statements of an identity policy grant, less its unconditional Denies."""
    (policy,) = read_policies([path], PolicyKind.IDENTITY)
    names = list(catalog.names(allowed_bits(policy, catalog)))
    return Expansion(
        tuple((name, catalog.access_level(name)) for name in names), catalog.access_level_profile(names)
    )
