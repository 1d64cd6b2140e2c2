"""Conformance: every shared IAM evaluation vector is a test case (see docs/policy-evaluation.md)."""

from __future__ import annotations

import pytest

from sojourn.policy import evaluate
from tests.conftest import SHARED
from tests.policy.vectors import Vector, load_vectors

VECTORS = load_vectors(SHARED / "data" / "iam-eval-vectors")
"""Loaded at collection time (parametrisation needs them then) from the same place as `shared_dir`."""
KNOWN_DIFFERENCES: dict[str, str] = {}
"""Vector id -> the AWS documentation reason we answer differently. Mirrored in docs/policy-evaluation.md."""


def test_all_248_vectors_are_loaded() -> None:
    assert len(VECTORS) == 248


@pytest.mark.parametrize("vector", VECTORS, ids=[v.id for v in VECTORS])
def test_vector(vector: Vector) -> None:
    if vector.id in KNOWN_DIFFERENCES:
        pytest.xfail(KNOWN_DIFFERENCES[vector.id])
    decision = evaluate(vector.request, vector.policies, vector.discovery)
    assert decision.outcome.value == vector.expected["response"], decision.reason
    blocked = vector.expected.get("blockedBy")
    if blocked:
        assert decision.blocked_by in blocked, decision.reason
    expected_condition = vector.expected.get("conditions")
    if expected_condition:
        assert any(expected_condition["key"] in ignored for ignored in decision.ignored_conditions)
