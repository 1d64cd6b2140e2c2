"""API tokens: issued once, stored as a digest, refused when wrong, unknown, expired, revoked or garbled."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from sojourn.api.identity import Caller, Role, Unauthenticated
from sojourn.api.tokens import InMemoryTokenRepository, TokenRecord, check_token, digest_secret, issue_token

T0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
EXPIRES = T0 + timedelta(days=30)


def issued(
    repository: InMemoryTokenRepository | None = None,
) -> tuple[str, TokenRecord, InMemoryTokenRepository]:
    repository = repository or InMemoryTokenRepository()
    plaintext, record = issue_token("ci-pipeline", [Role.REQUESTER], ["requests:write"], EXPIRES, T0)
    repository.add(record)
    return plaintext, record, repository


def refused(plaintext: str, repository: InMemoryTokenRepository, reason: str, at: datetime = T0) -> None:
    with pytest.raises(Unauthenticated, match=reason) as caught:
        check_token(plaintext, repository.get, at)
    if plaintext:
        assert plaintext not in str(caught.value)


def test_an_issued_token_checks_out_as_its_caller() -> None:
    plaintext, record, repository = issued()
    caller = check_token(plaintext, repository.get, T0 + timedelta(days=1))
    assert caller == Caller(
        subject=f"token:{record.token_id}",
        user_name="ci-pipeline",
        roles=frozenset({"requester"}),
        via="token",
        scopes=frozenset({"requests:write"}),
    )
    assert plaintext.startswith(f"sjt_{record.token_id}_")
    assert record.created_at == T0 and record.expires_at == EXPIRES and record.revoked_at is None


def test_the_record_never_holds_the_secret() -> None:
    plaintext, record, _ = issued()
    secret = plaintext.removeprefix(f"sjt_{record.token_id}_")
    assert len(secret) == 43
    assert record.secret_digest == digest_secret(secret)
    stored = repr(dataclasses.astuple(record))
    assert secret not in stored and plaintext not in stored


def test_every_token_is_different() -> None:
    tokens = {issue_token("t", [Role.ADMIN], [], EXPIRES, T0)[0] for _ in range(50)}
    assert len(tokens) == 50


def test_a_wrong_secret_is_refused_even_of_the_same_length() -> None:
    plaintext, record, repository = issued()
    secret = plaintext.removeprefix(f"sjt_{record.token_id}_")
    flipped = ("B" if secret[0] == "A" else "A") + secret[1:]
    assert len(flipped) == len(secret) and flipped != secret
    refused(f"sjt_{record.token_id}_{flipped}", repository, "not valid")


def test_another_tokens_secret_does_not_open_this_one() -> None:
    _, first_record, repository = issued()
    second, second_record, _ = issued(repository)
    swapped = f"sjt_{first_record.token_id}_" + second.removeprefix(f"sjt_{second_record.token_id}_")
    refused(swapped, repository, "not valid")


def test_an_unknown_id_is_refused() -> None:
    plaintext, _, _ = issued()
    refused(plaintext, InMemoryTokenRepository(), "not valid")


def test_an_expired_token_is_refused_from_its_expiry_on() -> None:
    plaintext, _, repository = issued()
    assert check_token(plaintext, repository.get, EXPIRES - timedelta(seconds=1)).user_name == "ci-pipeline"
    refused(plaintext, repository, "expired", at=EXPIRES)


def test_a_revoked_token_is_refused_and_the_first_revocation_stands() -> None:
    plaintext, record, repository = issued()
    repository.revoke(record.token_id, T0 + timedelta(hours=1))
    repository.revoke(record.token_id, T0 + timedelta(hours=2))
    assert repository.get(record.token_id).revoked_at == T0 + timedelta(hours=1)  # type: ignore[union-attr]
    refused(plaintext, repository, "revoked", at=T0 + timedelta(hours=3))
    with pytest.raises(KeyError):
        repository.revoke("0000000000000000", T0)


def test_a_token_id_cannot_be_added_twice() -> None:
    _, record, repository = issued()
    with pytest.raises(ValueError, match="already exists"):
        repository.add(record)


@pytest.mark.parametrize(
    "plaintext",
    [
        "",
        "sjt_",
        "sjt__",
        "sjt_0123456789abcdef",
        "sjt_0123456789abcdef_",
        "sjt_0123456789abcdef_short",
        "sjt_0123456789ABCDEF_" + "a" * 43,
        "sjt_0123456789abcde_" + "a" * 43,
        "sjt_0123456789abcdef_" + "a" * 44,
        "sjt_0123456789abcdef_" + "a" * 42 + "=",
        "sjt_0123456789abcdef_" + "a" * 42 + "\n",
        "SJT_0123456789abcdef_" + "a" * 43,
        " sjt_0123456789abcdef_" + "a" * 43,
        "eyJhbGciOiJSUzI1NiJ9.e30.sig",
    ],
)
def test_malformed_tokens_are_refused_before_any_lookup(plaintext: str) -> None:
    def lookup(token_id: str) -> TokenRecord | None:
        raise AssertionError("a malformed token must not reach the repository")

    with pytest.raises(Unauthenticated, match="malformed"):
        check_token(plaintext, lookup, T0)


def test_issuing_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="name"):
        issue_token(" ", [Role.ADMIN], [], EXPIRES, T0)
    with pytest.raises(ValueError, match="future"):
        issue_token("t", [Role.ADMIN], [], T0, T0)
    with pytest.raises(ValueError, match="timezone"):
        issue_token("t", [Role.ADMIN], [], datetime(2031, 1, 1), T0)
    with pytest.raises(ValueError, match="at least one role"):
        issue_token("t", [], [], EXPIRES, T0)
    with pytest.raises(ValueError, match="superuser"):
        issue_token("t", ["superuser"], [], EXPIRES, T0)
    with pytest.raises(ValueError, match="resource:action"):
        issue_token("t", [Role.ADMIN], ["everything"], EXPIRES, T0)


def test_roles_given_as_strings_become_roles() -> None:
    _, record = issue_token("t", ["approver", Role.AUDITOR], ["audit:read"], EXPIRES, T0)
    assert record.roles == {Role.APPROVER, Role.AUDITOR}
