"""The API-token contract, on the twin, SQLite and PostgreSQL: only the right secret verifies, and never
after revocation or expiry; the secret is never stored."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sojourn.service.ports.tokens import TokenRecord, TokenRefusal, secret_digest
from tests.store.conftest import Backend
from tests.store.events import T0

SECRET = "s3cr3t-" + "a" * 40


def token(token_id: str = "0123456789abcdef", minute: int = 0, secret: str = SECRET) -> TokenRecord:
    at = T0 + timedelta(minutes=minute)
    return TokenRecord(
        token_id,
        f"ci-{token_id}",
        secret_digest(secret),
        frozenset({"admin"}),
        frozenset({"audit:read"}),
        at,
        at + timedelta(days=1),
    )


def test_a_token_reads_back_as_added_without_its_secret(backend: Backend) -> None:
    backend.store.tokens.add(token())
    assert backend.store.tokens.get("0123456789abcdef") == token()
    assert SECRET not in repr(backend.store.tokens.list_tokens())
    assert backend.store.tokens.get("ffffffffffffffff") is None


def test_only_the_right_secret_verifies(backend: Backend) -> None:
    tokens = backend.store.tokens
    tokens.add(token())
    assert tokens.verify("0123456789abcdef", SECRET, T0) == token()
    assert tokens.verify("0123456789abcdef", SECRET + "b", T0) is TokenRefusal.UNKNOWN
    assert tokens.verify("0123456789abcdef", "", T0) is TokenRefusal.UNKNOWN
    assert tokens.verify("ffffffffffffffff", SECRET, T0) is TokenRefusal.UNKNOWN


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_no_other_secret_verifies(backend: Backend, guess: str) -> None:
    tokens = backend.store.tokens
    if tokens.get("0123456789abcdef") is None:
        tokens.add(token())
    verdict = tokens.verify("0123456789abcdef", guess, T0)
    assert verdict is TokenRefusal.UNKNOWN if guess != SECRET else verdict == token()


def test_a_revoked_token_no_longer_verifies_and_revocation_is_kept_once(backend: Backend) -> None:
    tokens = backend.store.tokens
    tokens.add(token())
    assert tokens.revoke("0123456789abcdef", T0 + timedelta(minutes=5))
    assert tokens.verify("0123456789abcdef", SECRET, T0 + timedelta(minutes=6)) is TokenRefusal.REVOKED
    assert not tokens.revoke("0123456789abcdef", T0 + timedelta(minutes=9))
    assert tokens.get("0123456789abcdef").revoked_at == T0 + timedelta(minutes=5)  # type: ignore[union-attr]
    assert not tokens.revoke("ffffffffffffffff", T0)


def test_an_expired_token_no_longer_verifies(backend: Backend) -> None:
    tokens = backend.store.tokens
    tokens.add(token())
    assert tokens.verify("0123456789abcdef", SECRET, T0 + timedelta(days=1, seconds=-1)) == token()
    assert tokens.verify("0123456789abcdef", SECRET, T0 + timedelta(days=1)) is TokenRefusal.EXPIRED


def test_tokens_are_listed_oldest_first_with_their_state(backend: Backend) -> None:
    tokens = backend.store.tokens
    tokens.add(token("bbbbbbbbbbbbbbbb", minute=2))
    tokens.add(token("aaaaaaaaaaaaaaaa", minute=1))
    tokens.revoke("aaaaaaaaaaaaaaaa", T0 + timedelta(minutes=3))
    listed = tokens.list_tokens()
    assert [t.token_id for t in listed] == ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"]
    assert [t.revoked_at is not None for t in listed] == [True, False]


def test_the_person_a_token_acts_for_and_its_issuer_read_back(backend: Backend) -> None:
    bound = replace(token(), person="alice", issued_by="root")
    backend.store.tokens.add(bound)
    assert backend.store.tokens.get("0123456789abcdef") == bound
    assert backend.store.tokens.verify("0123456789abcdef", SECRET, T0) == bound
    assert backend.store.tokens.list_tokens() == [bound]


def test_text_with_a_nul_character_is_refused_and_nothing_is_kept(backend: Backend) -> None:
    for hostile in (replace(token(), name="ci\x00"), replace(token(), person="al\x00ice")):
        with pytest.raises(ValueError, match="NUL"):
            backend.store.tokens.add(hostile)
    assert backend.store.tokens.list_tokens() == []
    backend.store.tokens.add(token())
    assert backend.store.tokens.get("0123456789abcdef") == token()
