"""Capabilities a set of policies grants on any resource: each step decided by the evaluation engine on a
probe resource that names nothing in particular, so conditions, Deny statements, boundaries and SCPs count.

This is how a lone policy is judged (`policy analyse`, the plan's risk gate): a holder of only this policy
can use a step on itself or on anything it does not own by name.
"""

from __future__ import annotations

from collections.abc import Iterable

from sojourn.analysis.capability import Capability, Step
from sojourn.analysis.escalation import EscalationFinding, EscalationPath, probe_resource
from sojourn.catalog import ActionCatalog
from sojourn.policy import CompiledPolicySet, EvaluationRequest, Outcome, evaluate

PASS_ROLE = "iam:PassRole"  # noqa: S105 (an action name)
PROBE_ROLE = "sojourn-probe-target"
SAMPLE = 5
TITLES = {
    Capability.PERMISSIONS: "can change the permissions of a principal",
    Capability.CREDENTIALS: "can take over a principal's credentials",
    Capability.TRUST: "can change whom a role trusts",
    Capability.RUN_CODE: "can run code as a role it passes to a service",
    Capability.EXISTING_CODE: "can take over code that runs as a role",
    Capability.ASSUME: "can assume roles",
}


class ProbeOracle:
    """Answers "allowed on any resource?" for one compiled policy set, each question once."""

    def __init__(self, principal: str, account: str, policies: CompiledPolicySet, catalog: ActionCatalog):
        self.principal = principal
        self.account = account
        self.policies = policies
        self.catalog = catalog
        self._answers: dict[tuple[str, str], str | None] = {}

    def allowed(self, action: str, service: str = "") -> str | None:
        """Evidence ("action on resource: statements") when allowed, else None."""
        key = (action.lower(), service)
        if key not in self._answers:
            if service:
                resource = f"arn:aws:iam::{self.account}:role/{PROBE_ROLE}"
                context = {"iam:PassedToService": service}
            else:
                resource, context = probe_resource(action, self.catalog, self.account), {}
            request = EvaluationRequest(action, resource, self.principal, self.account, context)
            decision = evaluate(request, self.policies)
            self._answers[key] = (
                f"{action} on {resource}{f' for {service}' if service else ''}: "
                + ", ".join(str(s) for s in decision.deciding)
                if decision.outcome is Outcome.ALLOWED
                else None
            )
        return self._answers[key]

    def step(self, step: Step) -> tuple[str, ...] | None:
        """The evidence for every action the step needs, or None when one of them is not allowed.

        iam:PassRole is asked first: one answer per service settles every launcher of that service."""
        passed = None
        if step.passes_role:
            passed = next(
                (found for s in step.services if (found := self.allowed(PASS_ROLE, s)) is not None), None
            )
            if passed is None:
                return None
        first = self.allowed(step.action)
        if first is None:
            return None
        evidence = [first]
        for group in step.needs:
            line = next((found for a in group if (found := self.allowed(a)) is not None), None)
            if line is None:
                return None
            evidence.append(line)
        return (*evidence, passed) if passed is not None else tuple(evidence)


def find_capabilities(oracle: ProbeOracle, steps: Iterable[Step]) -> list[EscalationFinding]:
    """One finding per capability the policies grant, naming a few of the steps that grant it."""
    found: dict[Capability, list[tuple[Step, tuple[str, ...]]]] = {}
    for step in steps:
        if len(found.get(step.capability, ())) > SAMPLE:
            continue
        evidence = oracle.step(step)
        if evidence is not None:
            found.setdefault(step.capability, []).append((step, evidence))
    return [
        capability_finding(oracle.principal, capability, found[capability])
        for capability in Capability
        if capability in found
    ]


def capability_finding(
    principal: str, capability: Capability, granted: list[tuple[Step, tuple[str, ...]]]
) -> EscalationFinding:
    """A finding shaped like a named path's: id and category are the capability, required its first step."""
    names = [step.action for step, _ in granted]
    more = " and more" if len(names) > SAMPLE else ""
    name = f"{TITLES[capability]}: {', '.join(names[:SAMPLE])}{more}"
    first, evidence = granted[0]
    required = first.actions + ((PASS_ROLE,) if first.passes_role else ())
    return EscalationFinding(
        EscalationPath(capability.value, name, capability.value, required), principal, evidence
    )
