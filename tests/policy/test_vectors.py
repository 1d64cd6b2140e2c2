"""Conformance: every shared IAM evaluation vector is a test case (see docs/policy-evaluation.md)."""

from __future__ import annotations

import pytest

from sojourn.policy import evaluate
from tests.conftest import SHARED
from tests.policy.vectors import Vector, load_vectors

VECTORS = load_vectors(SHARED / "data" / "iam-eval-vectors")
"""Loaded at collection time (parametrisation needs them then) from the same place as `shared_dir`."""
KNOWN_DIFFERENCES: dict[str, tuple[str, str]] = {
    "sessionPolicies::Implicit deny in session policy denies even if session ARN in resource policy": (
        "Allowed",
        'IAM User Guide, "Session policies": a resource-based policy that names the session ARN is applied '
        "after the session is created and is not limited by the session policy.",
    ),
}
"""Vector id -> (our answer, the AWS documentation it follows). Mirrored in docs/policy-evaluation.md."""


def test_all_248_vectors_are_loaded() -> None:
    assert len(VECTORS) == 248
    assert set(KNOWN_DIFFERENCES) <= {v.id for v in VECTORS}


@pytest.mark.parametrize("vector", VECTORS, ids=[v.id for v in VECTORS])
def test_vector(vector: Vector) -> None:
    decision = evaluate(vector.request, vector.policies, vector.discovery)
    if vector.id in KNOWN_DIFFERENCES:
        ours, _ = KNOWN_DIFFERENCES[vector.id]
        assert vector.expected["response"] != ours, "the vector now agrees with us: drop the known difference"
        assert decision.outcome.value == ours, decision.reason
        return
    assert decision.outcome.value == vector.expected["response"], decision.reason
    blocked = vector.expected.get("blockedBy")
    if blocked:
        assert decision.blocked_by in blocked, decision.reason
    expected_condition = vector.expected.get("conditions")
    if expected_condition:
        assert any(expected_condition["key"] in ignored for ignored in decision.ignored_conditions)
