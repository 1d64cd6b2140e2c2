"""Conformance beyond the shared vectors: Sojourn's own cases, each resting on the AWS page in its "doc"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sojourn.policy import evaluate
from tests.policy.vectors import Vector, load_vectors

HERE = Path(__file__).parent / "eval_vectors"
VECTORS = load_vectors(HERE)
FAMILIES = {
    "resourceWildcards_requestPatterns",
    "kms_aliasesAndKeylessActions",
    "rcps_implicitFullAccess",
    "notPrincipal_permissionBoundaries",
    "sts_servicePrincipals",
}


def test_every_family_has_cases_of_each_outcome_and_each_case_cites_aws() -> None:
    assert {v.file for v in VECTORS} == FAMILIES
    for family in FAMILIES:
        outcomes = {v.expected["response"] for v in VECTORS if v.file == family}
        assert {"Allowed", "ImplicitlyDenied"} <= outcomes, family
    for path in HERE.glob("*.json"):
        for case in json.loads(path.read_text()):
            assert case["doc"].startswith("https://docs.aws.amazon.com/"), case["name"]
    assert len({v.id for v in VECTORS}) == len(VECTORS)


@pytest.mark.parametrize("vector", VECTORS, ids=[v.id for v in VECTORS])
def test_own_vector(vector: Vector) -> None:
    decision = evaluate(vector.request, vector.policies, vector.discovery)
    assert decision.outcome.value == vector.expected["response"], decision.reason
    blocked = vector.expected.get("blockedBy")
    if blocked:
        assert decision.blocked_by in blocked, decision.reason
