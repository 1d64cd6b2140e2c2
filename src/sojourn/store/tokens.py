"""API tokens as stored: id, name, digest of the secret (never the secret), roles, scopes, expiry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update

from sojourn.store.tables import api_tokens


@dataclass(frozen=True, slots=True)
class TokenRecord:
    token_id: str
    name: str
    digest: str
    roles: frozenset[str]
    scopes: frozenset[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class TokenStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, record: TokenRecord) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(api_tokens).values(
                    token_id=record.token_id,
                    name=record.name,
                    digest=record.digest,
                    roles=json.dumps(sorted(record.roles)),
                    scopes=json.dumps(sorted(record.scopes)),
                    created_at=record.created_at.astimezone(UTC),
                    expires_at=record.expires_at.astimezone(UTC),
                )
            )

    def get(self, token_id: str) -> TokenRecord | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(api_tokens).where(api_tokens.c.token_id == token_id)).first()
        if row is None:
            return None
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
        )

    def revoke(self, token_id: str, at: datetime) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(api_tokens)
                .where(api_tokens.c.token_id == token_id)
                .values(revoked_at=at.astimezone(UTC))
            )
