"""Open the database (SQLite file or PostgreSQL) and bring its schema to the current migration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).with_name("migrations")


class SchemaTooNew(Exception):
    """The database was migrated by a newer Sojourn than this one."""


class UnstorableText(ValueError):
    """A value holds a NUL character, which PostgreSQL cannot store in text (refused on every backend)."""


def refuse_nul(parameters: Any) -> None:
    rows = parameters if isinstance(parameters, list | tuple) else [parameters]
    for row in rows:
        values = row.values() if isinstance(row, dict) else row if isinstance(row, list | tuple) else [row]
        if any(isinstance(value, str) and "\x00" in value for value in values):
            raise UnstorableText("text with a NUL character (\\x00) is not accepted; remove it and retry")


def _nul_guard(engine: Engine) -> None:
    """Refuse NUL characters before they reach the driver, the same way on SQLite and PostgreSQL."""

    @event.listens_for(engine, "before_cursor_execute")
    def _before(
        _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        refuse_nul(parameters)


def create_store_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        _sqlite_pragmas(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    _nul_guard(engine)
    return engine


def _sqlite_pragmas(engine: Engine) -> None:
    """Foreign keys on, WAL, and BEGIN IMMEDIATE so two writers queue instead of failing mid-transaction."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine) -> None:
    """Upgrade to the newest migration; refuse a schema this code does not know."""
    config = _alembic_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    known = {rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions()}
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current is not None and current not in known:
        raise SchemaTooNew(
            f"the database is at schema {current!r}, newer than this Sojourn knows (head {head!r}); "
            "upgrade Sojourn"
        )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
