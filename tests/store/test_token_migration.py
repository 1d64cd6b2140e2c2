"""Migration 0003 on a database that holds tokens from before it: they keep verifying, bound to nobody."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from sojourn.service.ports.tokens import TokenRecord, secret_digest
from sojourn.store import open_store
from sojourn.store.engine import _alembic_config, create_store_engine
from tests.databases import fresh_database
from tests.store.events import T0


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_tokens_issued_before_migration_0003_still_verify(kind: str, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as url:
        engine = create_store_engine(url)
        config = _alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0002")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO api_tokens (token_id, name, digest, roles, scopes, created_at, expires_at) "
                    "VALUES ('0123456789abcdef', 'ci', :digest, :roles, :scopes, :t0, :t1)"
                ),
                {
                    "digest": secret_digest("s3cret"),
                    "roles": '["auditor"]',
                    "scopes": '["audit:read"]',
                    "t0": T0,
                    "t1": T0.replace(year=T0.year + 1),
                },
            )
        engine.dispose()
        store = open_store(url)
        try:
            found = store.tokens.verify("0123456789abcdef", "s3cret", T0)
            assert isinstance(found, TokenRecord) and found.person is None and found.issued_by is None
            assert store.tokens.revoke("0123456789abcdef", T0)
        finally:
            store.close()
