"""Load the shared IAM evaluation vectors into Sojourn's request and policy types."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sojourn.catalog import ActionCatalog, load_catalog
from sojourn.policy import (
    Discovery,
    EvaluationRequest,
    Policy,
    PolicyKind,
    PolicySet,
    PrincipalType,
    parse_policy_document,
)


@dataclass(frozen=True)
class Vector:
    file: str
    name: str
    request: EvaluationRequest
    policies: PolicySet
    discovery: Discovery | None
    expected: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


def _policy(document: object, source: str, kind: PolicyKind) -> Policy:
    result = parse_policy_document(document, source=source, kind=kind)
    assert result.policy is not None, [str(i) for i in result.issues]
    return result.policy


def load_vectors(directory: Path) -> list[Vector]:
    vectors: list[Vector] = []
    for path in sorted(directory.glob("*.json")):
        for case in json.loads(path.read_text()):
            vectors.append(vector_from_case(path.stem, case))
    return vectors


@lru_cache(maxsize=1)
def _catalog() -> ActionCatalog:
    return load_catalog()


def resource_pattern(action: str, resource: str) -> bool | None:
    """A bare "*" is a pattern (any resource) unless the action names no resource, for which "*" is the
    resource itself (Service Authorization Reference: such actions take only "*"); otherwise the engine
    decides from the text."""
    if resource != "*":
        return None
    info = _catalog().action(action)
    return None if info is None else not info.wildcard_only


def _principal_type(principal: object) -> PrincipalType:
    if isinstance(principal, dict) and principal.get("type") == "Anonymous":
        return PrincipalType.ANONYMOUS
    if isinstance(principal, str) and not principal.startswith("arn:") and ".amazonaws.com" in principal:
        return PrincipalType.SERVICE
    return PrincipalType.AWS


def vector_from_case(file: str, case: dict[str, Any]) -> Vector:
    raw = case["request"]
    principal = raw["principal"]
    principal_type = _principal_type(principal)
    anonymous = principal_type is PrincipalType.ANONYMOUS
    request = EvaluationRequest(
        action=raw["action"],
        resource=raw["resource"]["resource"],
        resource_account=raw["resource"].get("accountId"),
        principal="" if anonymous else principal,
        context=raw.get("context", {}),
        principal_type=principal_type,
        resource_pattern=resource_pattern(raw["action"], raw["resource"]["resource"]),
    )
    resource_kind = (
        PolicyKind.TRUST if raw["action"].lower().startswith("sts:assumerole") else PolicyKind.RESOURCE
    )

    def levels(key: str, kind: PolicyKind) -> tuple[tuple[Policy, ...], ...]:
        return tuple(
            tuple(_policy(p, f"{level['orgIdentifier']}[{i}]", kind) for i, p in enumerate(level["policies"]))
            for level in case.get(key, [])
        )

    boundary = case.get("permissionBoundaries") or None
    session = case.get("sessionPolicy")
    endpoint = case.get("endpointPolicies")
    policies = PolicySet(
        identity=tuple(
            _policy(p, f"identity[{i}]", PolicyKind.IDENTITY)
            for i, p in enumerate(case.get("identityPolicies", []))
        ),
        resource=()
        if "resourcePolicy" not in case
        else (_policy(case["resourcePolicy"], "resource", resource_kind),),
        scps=levels("serviceControlPolicies", PolicyKind.SCP),
        rcps=levels("resourceControlPolicies", PolicyKind.RCP),
        boundary=None
        if boundary is None
        else tuple(_policy(p, f"boundary[{i}]", PolicyKind.BOUNDARY) for i, p in enumerate(boundary)),
        session=None if session is None else (_policy(session, "session", PolicyKind.SESSION),),
        endpoint=None
        if endpoint is None
        else tuple(_policy(p, f"endpoint[{i}]", PolicyKind.ENDPOINT) for i, p in enumerate(endpoint)),
    )
    discovery = None
    simulation = case.get("simulation")
    if simulation and simulation.get("mode") == "Discovery":
        constraints = simulation.get("discoveryContextKeyConstraints")
        discovery = Discovery(frozenset(c["keyName"].lower() for c in constraints) if constraints else None)
    return Vector(file, case["name"], request, policies, discovery, case["expected"])
