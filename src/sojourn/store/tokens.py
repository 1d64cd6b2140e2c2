"""API tokens in the database: id, name, digest of the secret (never the secret), roles, scopes, expiry,
revocation, the person a token acts for and who issued it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from sojourn.access.api_token import TokenRecord, TokenRefusal, judge_token
from sojourn.store.tables import api_tokens


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class TokenStore:
    """API tokens in the `api_tokens` table."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, record: TokenRecord) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                insert(api_tokens).values(
                    token_id=record.token_id,
                    name=record.name,
                    digest=record.digest,
                    roles=json.dumps(sorted(record.roles)),
                    scopes=json.dumps(sorted(record.scopes)),
                    created_at=record.created_at.astimezone(UTC),
                    expires_at=record.expires_at.astimezone(UTC),
                    person=record.person,
                    issued_by=record.issued_by,
                )
            )

    def get(self, token_id: str) -> TokenRecord | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(api_tokens).where(api_tokens.c.token_id == token_id)).first()
        return None if row is None else _token(row)

    def verify(self, token_id: str, secret: str, now: datetime) -> TokenRecord | TokenRefusal:
        return judge_token(self.get(token_id), secret, now)

    def list_tokens(self) -> list[TokenRecord]:
        statement = select(api_tokens).order_by(api_tokens.c.created_at, api_tokens.c.token_id)
        with self._engine.connect() as connection:
            return [_token(row) for row in connection.execute(statement)]

    def revoke(self, token_id: str, at: datetime) -> bool:
        with self._engine.begin() as connection:
            revoked = connection.execute(
                update(api_tokens)
                .where(api_tokens.c.token_id == token_id, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=at.astimezone(UTC))
            ).rowcount
        return bool(revoked)


def _token(row: Any) -> TokenRecord:
    created, expires = _aware(row.created_at), _aware(row.expires_at)
    assert created is not None and expires is not None
    return TokenRecord(
        row.token_id,
        row.name,
        row.digest,
        frozenset(json.loads(row.roles)),
        frozenset(json.loads(row.scopes)),
        created,
        expires,
        _aware(row.revoked_at),
        row.person,
        row.issued_by,
    )
