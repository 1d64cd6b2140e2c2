"""The audit log's pure parts: action patterns match like a glob of `*` only, and every stored field is
covered by the chain's hash."""

from __future__ import annotations

import re
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sojourn.access.audit import AuditEvent, action_matches, chain_next, verify_chain


@settings(max_examples=500)
@example("*ab*b", "ab").via("a middle segment may not reach into the suffix")
@example("a*a", "a").via("prefix and suffix may not overlap")
@given(st.text(alphabet="ab*", max_size=7), st.text(alphabet="ab", max_size=8))
def test_action_patterns_match_as_a_star_glob(pattern: str, action: str) -> None:
    reference = "".join(".*" if c == "*" else re.escape(c) for c in pattern)
    assert action_matches(pattern, action) == (re.fullmatch(reference, action, re.DOTALL) is not None)


EVENT = AuditEvent(
    at=datetime(2026, 11, 24, 9, tzinfo=UTC),
    actor="admin",
    action="assignment.create",
    reason="r",
    target="t",
    person="alice",
    account_id="111111111111",
    permission_set="p",
    before={"b": 1},
    after={"a": 2},
    run_id="run",
    details={"d": 3},
)
CHANGED = {
    "at": EVENT.at + timedelta(microseconds=1),
    "before": {"b": 2},
    "after": None,
    "details": {},
    "person": None,
    "account_id": "222222222222",
}


def test_changing_any_field_of_an_event_breaks_its_hash() -> None:
    record = chain_next(1, "0" * 64, EVENT)
    for field in fields(AuditEvent):
        value = CHANGED.get(field.name, "changed")
        tampered = replace(record, event=replace(EVENT, **{field.name: value}))
        report = verify_chain([tampered], (1, record.hash))
        assert report.problems == ("record 1 was changed after it was written",), field.name
