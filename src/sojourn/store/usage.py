"""The usage table and the ingested log files, in Sojourn's database."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from sojourn.store.tables import activity_files, usage_lines
from sojourn.usage.lines import UsageKey, UsageLine
from sojourn.usage.trail_keys import TrailFile, Watermark

_CHUNK = 500


def line_id(key: UsageKey) -> str:
    principal, session, action, resource, denied = key
    text = "\x1f".join((principal, session, action, resource, "denied" if denied else "used"))
    return hashlib.sha256(text.encode()).hexdigest()


class UsageStore:
    """Implements the UsageRepository port over the `usage_lines` and `activity_files` tables."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def ingested_keys(self) -> frozenset[str]:
        with self._engine.connect() as connection:
            return frozenset(connection.execute(select(activity_files.c.key)).scalars())

    def add(self, lines: Sequence[UsageLine], files: Sequence[TrailFile], at: datetime) -> None:
        by_id = {line_id(line.key): line for line in lines}
        with self._engine.begin() as connection:
            ids = list(by_id)
            known: dict[str, Any] = {}
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                rows = connection.execute(select(usage_lines).where(usage_lines.c.id.in_(chunk)))
                known.update({row.id: row for row in rows})
            fresh = [_row(i, line) for i, line in by_id.items() if i not in known]
            if fresh:
                connection.execute(insert(usage_lines), fresh)
            for i, row in known.items():
                merged = _line(row).merged(by_id[i])
                connection.execute(
                    update(usage_lines)
                    .where(usage_lines.c.id == i)
                    .values(first_seen=merged.first_seen, last_seen=merged.last_seen, calls=merged.calls)
                )
            if files:
                connection.execute(
                    insert(activity_files),
                    [{"key": f.key, "prefix": f.prefix, "size": f.size, "ingested_at": at} for f in files],
                )

    def lines(self, *, principal_like: str | None = None, since: datetime | None = None) -> list[UsageLine]:
        statement = select(usage_lines).order_by(
            usage_lines.c.principal, usage_lines.c.action, usage_lines.c.resource, usage_lines.c.session
        )
        if principal_like:
            statement = statement.where(usage_lines.c.principal.contains(principal_like, autoescape=True))
        if since is not None:
            statement = statement.where(usage_lines.c.last_seen >= since)
        with self._engine.connect() as connection:
            return [_line(row) for row in connection.execute(statement)]

    def watermarks(self) -> list[Watermark]:
        statement = (
            select(
                activity_files.c.prefix,
                func.count(),
                func.max(activity_files.c.key),
                func.max(activity_files.c.ingested_at),
            )
            .group_by(activity_files.c.prefix)
            .order_by(activity_files.c.prefix)
        )
        with self._engine.connect() as connection:
            return [
                Watermark(prefix, int(count), last_key, _aware(at))
                for prefix, count, last_key, at in connection.execute(statement)
            ]


def _row(line_id_: str, line: UsageLine) -> dict[str, object]:
    return {
        "id": line_id_,
        "principal": line.principal,
        "session": line.session,
        "action": line.action,
        "resource": line.resource,
        "denied": line.denied,
        "first_seen": line.first_seen,
        "last_seen": line.last_seen,
        "calls": line.calls,
    }


def _line(row: Any) -> UsageLine:
    return UsageLine(
        row.principal,
        row.session,
        row.action,
        row.resource,
        bool(row.denied),
        _aware(row.first_seen),
        _aware(row.last_seen),
        int(row.calls),
    )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
