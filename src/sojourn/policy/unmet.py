"""Why a request was not allowed when a condition stood in the way: each Allow statement that names the
action, the resource and the caller but whose condition the request does not meet, with what it held."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sojourn.policy.compiled import CompiledPolicy, Request
from sojourn.policy.evaluation import CompiledPolicySet, PolicySet, compile_policy_set, prepared
from sojourn.policy.model import Effect
from sojourn.policy.requester import EvaluationRequest, PrincipalType, as_asked, principal_grant


@dataclass(frozen=True, slots=True)
class UnmetCondition:
    """One condition of an Allow statement that the request does not meet."""

    policy_type: str
    source: str
    index: int
    sid: str | None
    operator: str
    """As written, e.g. "ForAnyValue:StringLikeIfExists"."""
    key: str
    values: tuple[str, ...]
    held: tuple[str, ...] | None
    """What the request's context holds for the key; None when it has none."""

    def __str__(self) -> str:
        sid = f" ({self.sid})" if self.sid else ""
        held = (
            f"the request has no {self.key}"
            if self.held is None
            else f"the request has {self.key} = {', '.join(self.held)}"
        )
        where = f"{self.source} Statement[{self.index}]{sid}"
        return f"{where}: {self.operator} {self.key} {list(self.values)}; {held}"


def unmet_conditions(
    request: EvaluationRequest, policies: PolicySet | CompiledPolicySet
) -> tuple[UnmetCondition, ...]:
    """Conditions of Allow statements that would otherwise apply to the request and that it does not meet."""
    compiled = compile_policy_set(policies) if isinstance(policies, PolicySet) else policies
    asked = as_asked(request)
    ready = prepared(asked)
    groups: list[tuple[str, tuple[CompiledPolicy, ...], bool]] = [
        ("identity", compiled.identity if asked.principal_type is PrincipalType.AWS else (), False),
        ("resource", compiled.resource, True),
        ("pb", compiled.boundary or (), False),
        ("session", compiled.session or (), False),
        ("vpce", compiled.endpoint or (), True),
        *(("scp", level, False) for level in compiled.scps),
    ]
    found: list[UnmetCondition] = []
    for label, group, names_caller in groups:
        found += _unmet(label, group, names_caller, asked, ready)
    return tuple(dict.fromkeys(found))


def _unmet(
    label: str,
    group: tuple[CompiledPolicy, ...],
    names_caller: bool,
    request: EvaluationRequest,
    ready: Request,
) -> Iterator[UnmetCondition]:
    for policy in group:
        for statement in policy.candidates(ready.action):
            if statement.effect is not Effect.ALLOW or not statement.matches_resource(ready):
                continue
            if names_caller and principal_grant(statement, request) is None:
                continue
            for condition in statement.unmet(ready):
                yield UnmetCondition(
                    label,
                    policy.source,
                    statement.index,
                    statement.sid,
                    condition.operator,
                    condition.key,
                    condition.values,
                    ready.context.get(condition.key.lower()),
                )
