"""API-token and audit use cases, and requests as one caller sees them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sojourn.clock import FixedClock
from sojourn.service.audit import AuditFilter, AuditTrail
from sojourn.service.request_visibility import can_see
from sojourn.service.tokens import ApiTokens, TokenRejected
from sojourn.store import open_store
from sojourn.store.audit import AuditEvent
from sojourn.store.tokens import TokenRecord

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class MemoryTokens:
    def __init__(self) -> None:
        self.kept: dict[str, TokenRecord] = {}

    def get(self, token_id: str) -> TokenRecord | None:
        return self.kept.get(token_id)

    def add(self, record: TokenRecord) -> None:
        self.kept[record.token_id] = record


def test_an_issued_token_authenticates_until_it_expires() -> None:
    clock, kept = FixedClock(START), MemoryTokens()
    tokens = ApiTokens(kept, clock)
    issued = tokens.issue("ci", ["auditor"], ["audit:read"], timedelta(hours=1))
    assert issued.record.token_id in kept.kept
    assert issued.record.expires_at == START + timedelta(hours=1)
    assert issued.plaintext not in repr(kept.kept) and issued.record.digest not in issued.plaintext
    found = tokens.authenticate(issued.plaintext)
    assert (found.name, found.roles, found.scopes) == (
        "ci",
        frozenset({"auditor"}),
        frozenset({"audit:read"}),
    )
    clock.advance(hours=1)
    with pytest.raises(TokenRejected, match="expired"):
        tokens.authenticate(issued.plaintext)


def test_unknown_scopes_and_past_lifetimes_are_refused() -> None:
    tokens = ApiTokens(MemoryTokens(), FixedClock(START))
    with pytest.raises(ValueError, match="unknown scope"):
        tokens.issue("x", ["admin"], ["everything"], timedelta(days=1))
    with pytest.raises(ValueError, match="expire in the future"):
        tokens.issue("x", ["admin"], ["audit:read"], timedelta(0))


@given(st.integers(min_value=0, max_value=42), st.sampled_from("abcXYZ019-_"))
def test_any_changed_character_of_the_secret_is_refused(position: int, replacement: str) -> None:
    tokens = ApiTokens(MemoryTokens(), FixedClock(START))
    plaintext = tokens.issue("ci", ["admin"], ["audit:read"], timedelta(days=1)).plaintext
    secret_start = len("sjt_") + 16 + 1
    index = secret_start + position
    forged = plaintext[:index] + replacement + plaintext[index + 1 :]
    if forged == plaintext:
        return
    with pytest.raises(TokenRejected, match=r"unknown or wrong|malformed"):
        tokens.authenticate(forged)


def test_malformed_tokens_are_refused_without_a_lookup() -> None:
    class Untouchable(MemoryTokens):
        def get(self, token_id: str) -> TokenRecord | None:
            raise AssertionError("looked up a malformed token")

    with pytest.raises(TokenRejected, match="malformed"):
        ApiTokens(Untouchable(), FixedClock(START)).authenticate("sjt_nothex_short")


def test_audit_times_without_a_zone_are_read_as_utc(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        for hour, person in ((9, "alice"), (10, "bob"), (11, "alice")):
            at = START.replace(hour=hour)
            store.audit.append(AuditEvent(at, "t", "jit.grant", "r", "x", person=person))
        trail = AuditTrail(store.audit)
        naive = AuditFilter(since=datetime(2026, 3, 1, 10, 0), until=datetime(2026, 3, 1, 11, 0))
        assert [r.event.person for r in trail.records(naive)] == ["bob"]
        assert [r.event.at.hour for r in trail.records(AuditFilter(person="alice"))] == [9, 11]
        assert trail.verify().ok and trail.verify().checked == 3
        lines: list[str] = []
        assert trail.export(lines.append, datetime(2026, 3, 1, 10, 30)) == 1
    finally:
        store.close()


def test_a_request_is_seen_by_its_requester_its_approvers_and_those_who_see_all() -> None:
    from sojourn.workflow.grant_request import GrantRequest

    fields = GrantRequest.__dataclass_fields__
    assert "person" in fields and "approvers" in fields

    class Seen:
        person = "alice"
        approvers = frozenset({"carol"})

    request = Seen()
    assert can_see("alice", False, request)  # type: ignore[arg-type]
    assert can_see("carol", False, request)  # type: ignore[arg-type]
    assert not can_see("mallory", False, request)  # type: ignore[arg-type]
    assert can_see("mallory", True, request)  # type: ignore[arg-type]
