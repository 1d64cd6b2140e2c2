"""Effects survive the outbox: every type round-trips through JSON, old rows still decode, and a body that is
not an effect is refused with where it is wrong."""

from __future__ import annotations

import json
import typing
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sojourn.workflow.effect_codec import (
    EFFECT_KINDS,
    EffectDecodeError,
    effect_from_json,
    effect_kind,
    effect_to_json,
)
from sojourn.workflow.effects import Audit, Deprovision, Effect, Notify, Provision
from sojourn.workflow.grant_request import GrantRequest, State

names = st.text(min_size=1, max_size=20)
accounts = st.lists(st.from_regex(r"\d{12}", fullmatch=True), max_size=4).map(tuple)
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.sampled_from([UTC, None])
)
effects: st.SearchStrategy[Effect] = st.one_of(
    st.builds(Provision, names, names, names, accounts),
    st.builds(Deprovision, names, names, names, accounts, instants),
    st.builds(Notify, names, names, st.lists(names, max_size=3).map(tuple)),
    st.builds(Audit, names, names, st.text(max_size=40)),
)


def test_every_effect_type_has_a_stored_kind() -> None:
    assert set(EFFECT_KINDS) == set(typing.get_args(Effect))
    assert len(set(EFFECT_KINDS.values())) == len(EFFECT_KINDS)


@given(effects)
def test_every_effect_round_trips_through_json_text(effect: Effect) -> None:
    stored = json.dumps(effect_to_json(effect))
    assert effect_from_json(json.loads(stored)) == effect
    assert json.loads(stored)["kind"] == effect_kind(effect)


REQUEST = GrantRequest(
    id="r1",
    person="alice",
    permission_set="prod-admin",
    accounts=("111111111111",),
    duration=timedelta(hours=1),
    reason="INC-1",
    requested_at=datetime(2026, 11, 24, 9, tzinfo=UTC),
    answer_by=datetime(2026, 11, 24, 10, tzinfo=UTC),
    approvers=frozenset({"erin"}),
    approvals_required=1,
    state=State.APPROVED,
)


def test_rows_written_before_effects_carried_their_request_still_decode() -> None:
    before = datetime(2026, 11, 24, 10, tzinfo=UTC)
    old_provision = {"kind": "provision", "accounts": ["111111111111"]}
    old_deprovision = {
        "kind": "deprovision",
        "accounts": ["111111111111"],
        "revoke_sessions_before": before.isoformat(),
    }
    old_notify = {"kind": "notify", "event": "approved", "to": []}
    assert effect_from_json(old_provision, request=REQUEST) == Provision(
        "r1", "alice", "prod-admin", ("111111111111",)
    )
    assert effect_from_json(old_deprovision, request=REQUEST) == Deprovision(
        "r1", "alice", "prod-admin", ("111111111111",), before
    )
    assert effect_from_json(old_notify, request=REQUEST) == Notify("approved", "r1")


def test_an_old_row_without_its_request_names_the_missing_field() -> None:
    with pytest.raises(EffectDecodeError, match=r"effect\(provision\)\.request_id: missing"):
        effect_from_json({"kind": "provision", "accounts": []})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], r"effect: expected a JSON object, got list"),
        ({}, r"effect\.kind: unknown kind None"),
        ({"kind": "Provision"}, r"unknown kind 'Provision' \(expected one of audit, deprovision"),
        (
            {"kind": "provision", "accounts": "111111111111"},
            r"\.accounts: expected a list of strings, got str",
        ),
        ({"kind": "provision", "accounts": [1]}, r"\.accounts: expected a list of strings"),
        ({"kind": "notify", "event": None}, r"effect\(notify\)\.event: expected a string, got null"),
        (
            {"kind": "deprovision", "accounts": [], "revoke_sessions_before": "soon"},
            r"revoke_sessions_before: 'soon' is not an ISO 8601 time",
        ),
        (
            {"kind": "audit", "action": "a", "actor": "b", "reason": "", "sql": "drop"},
            r"unknown field\(s\) sql",
        ),
    ],
)
def test_a_body_that_is_not_an_effect_is_refused_with_its_location(body: object, message: str) -> None:
    with pytest.raises(EffectDecodeError, match=message):
        effect_from_json(body, request=REQUEST)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@given(st.one_of(json_values, st.dictionaries(st.sampled_from(["kind", "accounts", "event"]), json_values)))
def test_any_json_value_decodes_to_an_effect_or_a_decode_error(body: object) -> None:
    try:
        decoded = effect_from_json(body, request=REQUEST)
    except EffectDecodeError as refused:
        assert str(refused).startswith("effect")
    else:
        assert effect_from_json(effect_to_json(decoded)) == decoded
