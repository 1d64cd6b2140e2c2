"""Fresh test databases: a SQLite file, or a new PostgreSQL database dropped afterwards."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "SOJOURN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def postgres_available() -> bool:
    try:
        result = subprocess.run(
            ["pg_isready", "-h", "127.0.0.1", "-p", "5432"], capture_output=True, check=False, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


@contextmanager
def fresh_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of `kind` ("sqlite" or "postgresql"), removed on exit."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'sojourn.db'}"
        return
    if not postgres_available():
        pytest.fail("PostgreSQL does not answer on 127.0.0.1:5432; .ci/run starts it")
    import sqlalchemy

    name = f"sojourn_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
