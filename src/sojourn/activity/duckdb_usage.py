"""Event groups to usage lines inside DuckDB: the core decides each distinct call (its actions, resources,
need) and each distinct caller once; those decisions become two small tables that the groups are joined
with, and the lines `(principal, session, action, resource, denied, first, last, calls)` are grouped in SQL.

Python sees the distinct calls and callers of a batch and the final lines, never an event or a group.
"""

from __future__ import annotations

from typing import Any

import duckdb

from sojourn.catalog.catalog import ActionCatalog
from sojourn.usage.aggregation_sql import AggregationQuery
from sojourn.usage.caller import Caller, Identity, caller_of
from sojourn.usage.event import EventCall
from sojourn.usage.lines import UsageBatch, UsageLine, event_time
from sojourn.usage.permission import Need, Permission, permission_for
from sojourn.usage.rules import EventRules

_CALL_FIELDS = (
    "event_source",
    "event_name",
    "event_type",
    "event_category",
    "error_code",
    "region",
    "account_id",
    "resource_arn",
)
_IDENTITY_FIELDS = (
    "identity_type",
    "identity_arn",
    "issuer_arn",
    "identity_account",
    "on_behalf_of",
    "invoked_by",
)
_JOINED = (
    "{groups} g JOIN call_needs n ON n.call_id = g.call_id JOIN callers c ON c.identity_id = g.identity_id"
)
_LINES = (
    "SELECT c.principal, c.session, u.action, u.resource, n.denied, "
    "min(g.first_seen), max(g.last_seen), sum(g.calls) "
    "FROM " + _JOINED + " JOIN call_uses u ON u.call_id = g.call_id "
    "WHERE n.need = 'action' AND c.right_sizable GROUP BY ALL"
)
_OUTCOMES = (
    "SELECT CASE WHEN n.need <> 'action' THEN n.need "  # noqa: S608
    "WHEN c.right_sizable THEN 'used' ELSE 'by_services' END, "
    "sum(g.calls) FROM " + _JOINED + " GROUP BY 1"
)
_UNMAPPED = (
    "SELECT g.event_source, g.event_name, sum(g.calls) FROM {groups} g "
    "JOIN call_needs n ON n.call_id = g.call_id WHERE n.need = 'unknown' GROUP BY ALL"
)


class DuckDbUsageMapper:
    """Maps the groups table of one connection; decisions are cached across batches."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        query: AggregationQuery,
        catalog: ActionCatalog,
        rules: EventRules,
    ) -> None:
        self._connection = connection
        self._query = query
        self._catalog = catalog
        self._rules = rules
        self._permissions: dict[EventCall, Permission] = {}
        self._callers: dict[Identity, Caller] = {}

    def usage(self, groups: str) -> UsageBatch:
        """The usage of every group in table `groups` (columns of the aggregation, call_id, identity_id)."""
        self._load_calls(groups)
        self._load_callers(groups)
        db = self._connection
        lines = tuple(
            UsageLine(
                str(principal),
                str(session),
                str(action),
                str(resource),
                bool(denied),
                event_time(str(first)),
                event_time(str(last)),
                int(calls),
            )
            for principal, session, action, resource, denied, first, last, calls in db.execute(
                _LINES.format(groups=groups)
            ).fetchall()
        )
        outcomes = {
            str(kind): int(count) for kind, count in db.execute(_OUTCOMES.format(groups=groups)).fetchall()
        }
        unmapped = {
            (str(source), str(name)): int(count)
            for source, name, count in db.execute(_UNMAPPED.format(groups=groups)).fetchall()
        }
        return UsageBatch(
            lines,
            events=sum(outcomes.values()),
            used=outcomes.get("used", 0),
            permissionless=outcomes.get(Need.PERMISSIONLESS.value, 0),
            not_calls=outcomes.get(Need.NOT_A_CALL.value, 0),
            by_services=outcomes.get("by_services", 0),
            unmapped=unmapped,
        )

    def _load_calls(self, groups: str) -> None:
        parameters = tuple(f"p_{p}" for p in self._query.parameters)
        columns = ", ".join(("call_id", *_CALL_FIELDS, *parameters))
        ids: list[int] = []
        needs: list[str] = []
        denied: list[bool] = []
        use_ids: list[int] = []
        actions: list[str] = []
        resources: list[str] = []
        for row in self._connection.execute(f"SELECT DISTINCT {columns} FROM {groups}").fetchall():  # noqa: S608
            call = _call(row[1:], self._query.parameters)
            permission = self._permissions.get(call)
            if permission is None:
                permission = self._permissions[call] = permission_for(call, self._catalog, self._rules)
            ids.append(int(row[0]))
            needs.append(permission.need.value)
            denied.append(permission.denied)
            for use in permission.uses:
                use_ids.append(int(row[0]))
                actions.append(use.action)
                resources.append(use.resource)
        self._table(
            "call_needs",
            ("call_id", "BIGINT", ids),
            ("need", "VARCHAR", needs),
            ("denied", "BOOLEAN", denied),
        )
        self._table(
            "call_uses",
            ("call_id", "BIGINT", use_ids),
            ("action", "VARCHAR", actions),
            ("resource", "VARCHAR", resources),
        )

    def _load_callers(self, groups: str) -> None:
        columns = ", ".join(("identity_id", *_IDENTITY_FIELDS))
        ids: list[int] = []
        principals: list[str] = []
        sessions: list[str] = []
        sizable: list[bool] = []
        for row in self._connection.execute(f"SELECT DISTINCT {columns} FROM {groups}").fetchall():  # noqa: S608
            identity = Identity(*(_text(v) for v in row[1:]))
            caller = self._callers.get(identity)
            if caller is None:
                caller = self._callers[identity] = caller_of(identity)
            ids.append(int(row[0]))
            principals.append(caller.principal)
            sessions.append(caller.session or "")
            sizable.append(caller.right_sizable)
        self._table(
            "callers",
            ("identity_id", "BIGINT", ids),
            ("principal", "VARCHAR", principals),
            ("session", "VARCHAR", sessions),
            ("right_sizable", "BOOLEAN", sizable),
        )

    def _table(self, name: str, *columns: tuple[str, str, list[Any]]) -> None:
        """A temp table from parallel Python lists, in one statement (unnest zips lists of equal length)."""
        selected = ", ".join(
            f"unnest(${i + 1}::{kind}[]) AS {column}" for i, (column, kind, _) in enumerate(columns)
        )
        self._connection.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {selected}",
            [values for _, _, values in columns],
        )


def _call(values: tuple[Any, ...], parameters: tuple[str, ...]) -> EventCall:
    fields = dict(zip(_CALL_FIELDS, values[: len(_CALL_FIELDS)], strict=True))
    named = values[len(_CALL_FIELDS) :]
    return EventCall(
        source=str(fields["event_source"]),
        name=str(fields["event_name"]),
        event_type=_text(fields["event_type"]),
        category=_text(fields["event_category"]),
        error_code=_text(fields["error_code"]),
        region=_text(fields["region"]),
        account=_text(fields["account_id"]),
        parameters=tuple((p, str(v)) for p, v in zip(parameters, named, strict=True) if v not in (None, "")),
        resource_arn=_text(fields["resource_arn"]),
    )


def _text(value: object) -> str | None:
    return str(value) if value is not None and value != "" else None
