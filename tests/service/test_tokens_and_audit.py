"""API-token and audit use cases, and requests as one caller sees them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sojourn.clock import FixedClock
from sojourn.service.audit import AuditFilter, AuditTrail
from sojourn.service.ports.tokens import TokenRecord, TokenRefusal
from sojourn.service.request_visibility import can_see
from sojourn.service.tokens import (
    SCOPES,
    ApiTokens,
    TokenIssuer,
    TokenNotAllowed,
    TokenNotFound,
    TokenRejected,
)
from sojourn.store import open_store
from sojourn.store.audit import AuditEvent
from sojourn.store.memory import MemoryStore, MemoryTokenStore, open_memory_store

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def api_tokens(clock: FixedClock | None = None) -> tuple[ApiTokens, MemoryStore]:
    store = open_memory_store()
    return ApiTokens(store.tokens, store.audit, clock or FixedClock(START), lambda: ("alice", "erin")), store


ROOT = TokenIssuer("root")


def test_an_issued_token_authenticates_until_it_expires() -> None:
    clock = FixedClock(START)
    tokens, store = api_tokens(clock)
    issued = tokens.issue("ci", ["auditor"], ["audit:read"], timedelta(hours=1), ROOT)
    assert store.tokens.get(issued.record.token_id) == issued.record
    assert issued.record.expires_at == START + timedelta(hours=1)
    assert issued.plaintext not in repr(store.tokens.list_tokens())
    assert issued.record.digest not in issued.plaintext
    found = tokens.authenticate(issued.plaintext)
    assert (found.name, found.roles, found.scopes) == (
        "ci",
        frozenset({"auditor"}),
        frozenset({"audit:read"}),
    )
    clock.advance(hours=1)
    with pytest.raises(TokenRejected, match="expired"):
        tokens.authenticate(issued.plaintext)


def test_unknown_scopes_and_lifetimes_out_of_range_are_refused() -> None:
    tokens, store = api_tokens()
    with pytest.raises(ValueError, match="unknown scope"):
        tokens.issue("x", ["admin"], ["everything"], timedelta(days=1), ROOT)
    with pytest.raises(ValueError, match="expire in the future"):
        tokens.issue("x", ["admin"], ["audit:read"], timedelta(0), ROOT)
    with pytest.raises(ValueError, match="at most 366 days"):
        tokens.issue("x", ["admin"], ["audit:read"], timedelta(days=99_999_999), ROOT)
    with pytest.raises(ValueError, match="not a person of the configuration"):
        tokens.issue("x", [], ["requests:write"], timedelta(days=1), ROOT, person="mallory")
    assert store.tokens.list_tokens() == [] and store.audit.count() == 0


@given(st.integers(min_value=0, max_value=42), st.sampled_from("abcXYZ019-_"))
def test_any_changed_character_of_the_secret_is_refused(position: int, replacement: str) -> None:
    tokens, _ = api_tokens()
    plaintext = tokens.issue("ci", ["admin"], ["audit:read"], timedelta(days=1), ROOT).plaintext
    secret_start = len("sjt_") + 16 + 1
    index = secret_start + position
    forged = plaintext[:index] + replacement + plaintext[index + 1 :]
    if forged == plaintext:
        return
    with pytest.raises(TokenRejected, match=r"unknown or wrong|malformed"):
        tokens.authenticate(forged)


def test_malformed_tokens_are_refused_without_a_lookup() -> None:
    class Untouchable(MemoryTokenStore):
        def verify(self, token_id: str, secret: str, now: datetime) -> TokenRecord | TokenRefusal:
            raise AssertionError("looked up a malformed token")

    tokens = ApiTokens(Untouchable(), open_memory_store().audit, FixedClock(START))
    with pytest.raises(TokenRejected, match="malformed"):
        tokens.authenticate("sjt_nothex_short")


def test_authentication_goes_through_the_repositorys_constant_time_verify() -> None:
    calls: list[tuple[str, str]] = []

    class Watched(MemoryTokenStore):
        def verify(self, token_id: str, secret: str, now: datetime) -> TokenRecord | TokenRefusal:
            calls.append((token_id, secret))
            return super().verify(token_id, secret, now)

    tokens = ApiTokens(Watched(), open_memory_store().audit, FixedClock(START))
    issued = tokens.issue("ci", ["auditor"], ["audit:read"], timedelta(days=1), ROOT)
    assert tokens.authenticate(issued.plaintext) == issued.record
    assert calls == [(issued.record.token_id, issued.plaintext.split("_", 2)[2])]


def test_issuing_and_revoking_are_audited_and_a_revoked_token_is_refused() -> None:
    tokens, store = api_tokens()
    issued = tokens.issue("ci", [], ["audit:read"], timedelta(days=1), ROOT)
    assert issued.record.roles == frozenset({"auditor"})
    tokens.revoke(issued.record.token_id, TokenIssuer("carol"), "leaked in a log")
    with pytest.raises(TokenRejected, match="revoked"):
        tokens.authenticate(issued.plaintext)
    with pytest.raises(ValueError, match="revoked already"):
        tokens.revoke(issued.record.token_id, ROOT)
    with pytest.raises(TokenNotFound):
        tokens.revoke("ffffffffffffffff", ROOT)
    records = [(r.event.actor, r.event.action, r.event.target) for r in store.audit.query()]
    target = f"token:{issued.record.token_id}"
    assert records == [("root", "token.create", target), ("carol", "token.revoke", target)]
    assert store.audit.query(action="token.revoke")[0].event.reason == "leaked in a log"


def test_a_token_mints_only_within_its_own_scopes_roles_lifetime_and_person() -> None:
    tokens, store = api_tokens()
    manager = tokens.issue("mgr", ["admin"], ["tokens:admin"], timedelta(days=30), ROOT).record
    as_manager = TokenIssuer("token:mgr", manager)
    with pytest.raises(TokenNotAllowed, match="own scopes"):
        tokens.issue("all", ["admin"], sorted(SCOPES), timedelta(days=1), as_manager)
    with pytest.raises(TokenNotAllowed, match="own roles"):
        tokens.issue("x", ["admin", "auditor"], ["tokens:admin"], timedelta(days=1), as_manager)
    with pytest.raises(TokenNotAllowed, match="outlives it"):
        tokens.issue("x", ["admin"], ["tokens:admin"], timedelta(days=31), as_manager)
    with pytest.raises(TokenNotAllowed, match="same person"):
        tokens.issue("x", ["admin"], ["tokens:admin"], timedelta(days=1), as_manager, person="alice")
    child = tokens.issue("child", ["admin"], ["tokens:admin"], timedelta(days=30), as_manager).record
    assert child.issued_by == f"token:{manager.token_id}"
    assert {t.name for t in store.tokens.list_tokens()} == {"mgr", "child"}
    minted = store.audit.query(action="token.create")[-1].event
    assert minted.details["via_token"] == manager.token_id


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
