"""What today's policies grant, asked through the policy engine: a generated line is kept only if granted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sojourn.policy.compiled import compile_policy
from sojourn.policy.evaluation import Discovery, Outcome, PolicySet, compile_policy_set, evaluate
from sojourn.policy.model import Effect, Policy
from sojourn.policy.requester import EvaluationRequest, account_of

ANY = "*"
_DISCOVER = Discovery()


@dataclass(frozen=True, slots=True)
class GrantAnswer:
    """The resources a used action may keep (empty: none), and why when not the ones asked for."""

    resources: tuple[str, ...]
    reason: str = ""


class GrantedToday:
    """Today's identity policies of a principal (or of a permission set), compiled once for many questions."""

    def __init__(self, policies: Sequence[Policy]) -> None:
        self._policies = tuple(policies)
        self._compiled = compile_policy_set(PolicySet(identity=self._policies))
        self._single = tuple(compile_policy(p) for p in self._policies)

    def answer(self, action: str, resource: str, principal: str) -> GrantAnswer:
        """Whether today's policies let `principal` do `action` on `resource` without a condition; for an
        unnamed resource ("*") that they grant only on some resources, those resources."""
        decision = self._decide(action, resource, principal, pattern=False)
        if decision is not None:
            return decision
        if resource != ANY:
            return GrantAnswer((), "not granted today on this resource")
        return self._granted_resources(action, principal)

    def _decide(self, action: str, resource: str, principal: str, *, pattern: bool) -> GrantAnswer | None:
        request = EvaluationRequest(
            action=action,
            resource=resource,
            principal=principal,
            resource_account=account_of(principal),
            principal_account=account_of(principal),
            resource_pattern=pattern,
        )
        decision = evaluate(request, self._compiled, _DISCOVER)
        if decision.outcome is Outcome.ALLOWED and not decision.ignored_conditions:
            return GrantAnswer((resource,))
        if decision.outcome is Outcome.ALLOWED:
            keys = ", ".join(sorted(decision.ignored_conditions))
            return GrantAnswer((), f"granted today only under conditions ({keys}); left out, add by hand")
        if decision.outcome is Outcome.EXPLICITLY_DENIED:
            return GrantAnswer((), "explicitly denied today")
        return None

    def _granted_resources(self, action: str, principal: str) -> GrantAnswer:
        allowed: list[str] = []
        for compiled in self._single:
            for statement in compiled.candidates(action.lower()):
                if statement.effect is Effect.DENY:
                    return GrantAnswer((), "today's policies deny it on some resources; narrow it by hand")
                if statement.conditions or statement.resources is None or statement.negate_resources:
                    continue
                allowed.extend(r for r in statement.resources if r not in allowed)
        kept = tuple(
            r for r in allowed if (a := self._decide(action, r, principal, pattern=True)) and a.resources
        )
        if not kept:
            return GrantAnswer((), "not granted today")
        return GrantAnswer(kept, "the event names no resource: the resources granted today")
