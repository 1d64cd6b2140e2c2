"""Database errors as a person reads them: what went wrong and what to do, in one line each."""

from __future__ import annotations

from alembic.util.exc import CommandError
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from sojourn.store.engine import SchemaTooNew

WHERE = "--database-url or SOJOURN_DATABASE_URL"


def explain_database_error(error: BaseException) -> tuple[str, str] | None:
    """(what went wrong, what to do) for an error of the store's database; None for others."""
    if isinstance(error, SchemaTooNew):
        return str(error), f"use the Sojourn that last migrated it, or point {WHERE} at another database"
    if isinstance(error, CommandError) and "revision" in str(error):
        return (
            f"the database's schema is unknown to this Sojourn ({error})",
            "upgrade Sojourn to the version that migrated it",
        )
    if isinstance(error, ArgumentError | NoSuchModuleError):
        return (
            "the database URL cannot be used (not a URL, or a driver that is not installed)",
            f"give {WHERE} as sqlite:///PATH or postgresql+psycopg://USER@HOST/NAME",
        )
    if isinstance(error, OperationalError):
        return _operational(str(error.orig) if error.orig is not None else str(error))
    if isinstance(error, DBAPIError):
        return f"the database failed: {error.orig}", "check the database's log; run the command again"
    return None


def _operational(text: str) -> tuple[str, str]:
    lowered = text.lower()
    if "locked" in lowered:
        return (
            "the database is locked by another process (a worker, `serve` or another command)",
            "wait for it to finish and run again; SQLite lets one writer at a time, PostgreSQL scales",
        )
    if "readonly" in lowered or "read-only" in lowered or "read only" in lowered:
        return (
            "the database is read-only for this user",
            f"give write permission on the file and its directory, or point {WHERE} elsewhere",
        )
    if "unable to open" in lowered:
        return (
            "the database file cannot be opened",
            f"check that its directory exists and is writable, or point {WHERE} elsewhere",
        )
    if "connect" in lowered or "connection" in lowered:
        return (
            f"cannot connect to the database: {text.strip().splitlines()[0]}",
            f"check that it is running and reachable, and {WHERE}",
        )
    first = text.strip().splitlines()[0] if text.strip() else "unknown error"
    return f"the database failed: {first}", "check the database's log; run the command again"
