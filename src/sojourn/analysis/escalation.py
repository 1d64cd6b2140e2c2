"""Named privilege-escalation paths (the shared pathfinding data), kept as labelled cases for the capability
model (analysis.capability), which is what every report and the graph use; and the probe resource both share.

A path lists the permissions an attacker needs. A principal can take
the path when the engine allows every one of them on a resource the principal does not own by name: a
probe ARN built from the catalogue's resource type for that action. Deny statements, conditions, SCPs,
boundaries and resource constraints are all respected because the engine decides.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from sojourn.catalog import ActionCatalog
from sojourn.policy import (
    CompiledPolicySet,
    EvaluationRequest,
    Outcome,
    Policy,
    PolicyKind,
    PolicySet,
    compile_policy_set,
    evaluate,
    parse_policy_document,
)

PROBE = "sojourn-probe-target"
_VARIABLE = re.compile(r"\$\{([^}]+)\}")


@dataclass(frozen=True, slots=True)
class EscalationPath:
    id: str
    name: str
    category: str
    required: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EscalationFinding:
    path: EscalationPath
    principal: str
    evidence: tuple[str, ...]
    """One line per required permission: the action, the probe resource and the statements that allow it."""


def _with_account_trust(policies: PolicySet, account: str) -> CompiledPolicySet:
    """sts:AssumeRole is judged on the caller's side: the probe role trusts its own account (delegation)."""
    return compile_policy_set(replace(policies, resource=(*policies.resource, _account_trust(account))))


@lru_cache(maxsize=64)
def _account_trust(account: str) -> Policy:
    trust = parse_policy_document(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                }
            ],
        },
        source="probe-trust-policy",
        kind=PolicyKind.TRUST,
    ).policy
    assert trust is not None
    return trust


def paths_from_documents(documents: Iterable[Mapping[str, object]]) -> tuple[EscalationPath, ...]:
    """Paths from the pathfinding YAML documents (already loaded by the caller)."""
    paths = []
    for document in documents:
        permissions = document["permissions"]
        assert isinstance(permissions, Mapping)
        required = tuple(str(p["permission"]) for p in permissions["required"])
        paths.append(
            EscalationPath(str(document["id"]), str(document["name"]), str(document["category"]), required)
        )
    return tuple(sorted(paths, key=lambda p: p.id))


def probe_resource(action: str, catalog: ActionCatalog, account: str, region: str = "us-east-1") -> str:
    """An ARN of the action's (first required) resource type naming nothing in particular, or "*"."""
    info = catalog.action(action)
    if info is None or not info.resource_types:
        return "*"
    chosen = next((r for r in info.resource_types if r.required), info.resource_types[0])
    if not chosen.arn:
        return "*"
    values = {"partition": "aws", "region": region, "account": account}
    return _VARIABLE.sub(lambda m: values.get(m.group(1).lower(), PROBE), chosen.arn)


def find_escalations(
    principal: str,
    account: str,
    policies: PolicySet | CompiledPolicySet,
    paths: Iterable[EscalationPath],
    catalog: ActionCatalog,
) -> list[EscalationFinding]:
    """Every path whose required permissions the principal holds on a resource it does not name."""
    compiled = compile_policy_set(policies) if isinstance(policies, PolicySet) else policies
    trusting: list[CompiledPolicySet] = []
    cache: dict[str, str | None] = {}

    def allowed(action: str) -> str | None:
        if action not in cache:
            resource = probe_resource(action, catalog, account)
            policy_set = compiled
            if action.lower().startswith("sts:assumerole"):
                if not trusting:
                    trusting.append(
                        _with_account_trust(policies, account)
                        if isinstance(policies, PolicySet)
                        else compiled
                    )
                policy_set = trusting[0]
            decision = evaluate(EvaluationRequest(action, resource, principal, account), policy_set)
            cache[action] = (
                f"{action} on {resource}: " + ", ".join(str(s) for s in decision.deciding)
                if decision.outcome is Outcome.ALLOWED
                else None
            )
        return cache[action]

    findings = []
    for path in paths:
        evidence = [allowed(action) for action in path.required]
        if all(line is not None for line in evidence):
            findings.append(EscalationFinding(path, principal, tuple(line for line in evidence if line)))
    return findings


def bundled_paths() -> tuple[EscalationPath, ...]:
    """The escalation paths shipped with Sojourn (ids, categories and required permissions)."""
    text = resources.files("sojourn.analysis").joinpath("data/escalation_paths.json").read_text()
    return tuple(
        EscalationPath(p["id"], p["name"], p["category"], tuple(p["required"]))
        for p in json.loads(text)["paths"]
    )
