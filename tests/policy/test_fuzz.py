"""Fuzzing with real policies: structural and textual mutations of AWS managed policies never raise."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sojourn.policy import (
    EvaluationRequest,
    ParseResult,
    PolicyKind,
    PolicySet,
    compile_policy_set,
    evaluate,
    parse_policy,
    parse_policy_document,
)
from sojourn.policy.model import Located

SAMPLE = 60

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
near_misses = st.sampled_from(
    [
        "*",
        "s3:Get*",
        "arn:aws:s3:::b/${aws:username}",
        "${",
        "Allow",
        "deny",
        "2012-10-17",
        "",
        "arn:",
        "aws:",
    ]
)


@pytest.fixture(scope="session")
def documents(shared_dir: Path) -> list[object]:
    folder = shared_dir / "data" / "aws-managed-policies"
    texts = [p.read_text() for p in sorted(folder.iterdir()) if p.name != "SOURCE.txt"]
    chosen = [t for t in texts if t.strip()][:: max(1, len(texts) // SAMPLE)]
    return [json.loads(t)["PolicyVersion"]["Document"] for t in chosen]


def _containers(value: object, found: list[object]) -> list[object]:
    if isinstance(value, dict | list):
        found.append(value)
        for child in value.values() if isinstance(value, dict) else value:
            _containers(child, found)
    return found


def _mutated(documents: list[object], data: st.DataObject) -> object:
    document = copy.deepcopy(data.draw(st.sampled_from(documents)))
    for _ in range(data.draw(st.integers(1, 4))):
        containers = _containers(document, [])
        target = data.draw(st.sampled_from(containers))
        replacement = data.draw(json_values | near_misses)
        if isinstance(target, dict) and target:
            key = data.draw(st.sampled_from(sorted(target)))
            if data.draw(st.booleans()):
                del target[key]
            else:
                target[key] = replacement
        elif isinstance(target, list) and target:
            target[data.draw(st.integers(0, len(target) - 1))] = replacement
    return document


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), kind=st.sampled_from(list(PolicyKind)))
def test_mutated_managed_policies_give_a_policy_or_issues(
    documents: list[object], data: st.DataObject, kind: PolicyKind
) -> None:
    result = parse_policy_document(_mutated(documents, data), kind=kind)
    assert result.policy is not None or result.issues
    if result.policy is not None:
        request = EvaluationRequest("s3:GetObject", "arn:aws:s3:::b/k", "arn:aws:iam::111122223333:user/u")
        decision = evaluate(request, compile_policy_set(PolicySet(identity=(result.policy,))))
        assert decision.outcome.value in ("Allowed", "ImplicitlyDenied", "ExplicitlyDenied")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_cut_and_spliced_policy_text_is_located(documents: list[object], data: st.DataObject) -> None:
    text = json.dumps(data.draw(st.sampled_from(documents)), indent=2)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 20)))
    mutated = text[:start] + data.draw(st.text(max_size=6)) + text[end:]
    result = parse_policy(mutated, source="m.json")
    assert result.policy is not None or result.issues
    lines = mutated.split("\n")
    for issue in result.issues:
        assert 1 <= issue.line <= len(lines)
        assert 1 <= issue.col <= len(lines[issue.line - 1]) + 1


def _without_positions(result: ParseResult) -> object:
    issues = [(i.source, i.path, i.code, i.severity, i.message) for i in result.issues]
    if result.policy is None:
        return None, issues
    statements = tuple(
        dataclasses.replace(
            s,
            where=Located(s.where.path),
            action_places=tuple(Located(p.path) for p in s.action_places),
            resource_places=tuple(Located(p.path) for p in s.resource_places),
            conditions=tuple(dataclasses.replace(c, where=Located(c.where.path)) for c in s.conditions),
        )
        for s in result.policy.statements
    )
    return dataclasses.replace(result.policy, statements=statements), issues


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), kind=st.sampled_from(list(PolicyKind)))
def test_a_decoded_document_reads_as_its_text_does_but_for_line_and_column(
    documents: list[object], data: st.DataObject, kind: PolicyKind
) -> None:
    document = _mutated(documents, data)
    try:
        text = json.dumps(document, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except ValueError:
        return
    from_text = parse_policy(text, source="p", kind=kind)
    from_document = parse_policy_document(document, source="p", kind=kind)
    assert _without_positions(from_document) == _without_positions(from_text)
    assert all((i.line, i.col) == (0, 0) for i in from_document.issues)
