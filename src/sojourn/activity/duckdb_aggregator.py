"""Aggregate CloudTrail log files with DuckDB: each file's Records as the `cloudtrail_events` relation, then
the core's aggregation SQL over it.

Each file is read as one JSON object (`read_json_objects`) and decoded once into a typed struct of just the
fields the aggregation uses (`from_json`), which keeps DuckDB from parsing a record more than once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import duckdb

from sojourn.usage.aggregation_sql import RESOURCES_FIELD, AggregationQuery, aggregation_query, event_group
from sojourn.usage.lines import EventGroup
from sojourn.usage.rules import EventRules
from sojourn.usage.trail_keys import FileAggregate, RejectedFile, TrailFile


class DuckDbAggregator:
    """Runs the aggregation over files under `root`; one in-memory DuckDB connection per instance."""

    def __init__(self, root: Path, rules: EventRules, *, threads: int | None = None) -> None:
        self._root = root
        self._query: AggregationQuery = aggregation_query(rules.resource_parameters())
        self._shape = _record_shape(self._query)
        self._connection = duckdb.connect(":memory:")
        if threads is not None:
            self._connection.execute(f"SET threads = {int(threads)}")

    def aggregate(self, files: Sequence[TrailFile]) -> FileAggregate:
        """Event groups of all readable files; when a batch fails, each file is retried alone so one bad
        file does not hold back the rest."""
        if not files:
            return FileAggregate((), ())
        try:
            return FileAggregate(self._run(files), ())
        except duckdb.Error:
            pass
        groups: list[EventGroup] = []
        rejected: list[RejectedFile] = []
        for file in files:
            try:
                groups.extend(self._run([file]))
            except duckdb.Error as error:
                rejected.append(RejectedFile(file.key, _reason(error, str(self._root / file.key))))
        return FileAggregate(tuple(groups), tuple(rejected))

    def close(self) -> None:
        self._connection.close()

    def _run(self, files: Sequence[TrailFile]) -> tuple[EventGroup, ...]:
        paths = [str(self._root / f.key) for f in files]
        self._connection.execute(_events_view(self._query, self._shape, paths))
        rows = self._connection.execute(self._query.text).fetchall()
        return tuple(event_group(row, self._query) for row in rows)


def _record_shape(query: AggregationQuery) -> str:
    """The from_json structure of a log file: Records, each with only the fields the query reads."""
    record: dict[str, object] = {}
    for _, path in query.event_fields:
        node = record
        for part in path[:-1]:
            child = node.setdefault(part, {})
            assert isinstance(child, dict)
            node = child
        node[path[-1]] = "VARCHAR"
    list_name, arn = RESOURCES_FIELD[1]
    record[list_name] = [{arn: "VARCHAR"}]
    return json.dumps({"Records": [record]})


def _events_view(query: AggregationQuery, shape: str, paths: Sequence[str]) -> str:
    columns = [f"r.{'.'.join(_quoted(p) for p in path)} AS {name}" for name, path in query.event_fields]
    list_name, arn = RESOURCES_FIELD[1]
    columns.append(f"r.{_quoted(list_name)}[1].{_quoted(arn)} AS {RESOURCES_FIELD[0]}")
    # Column names come from the core's constants; paths and the shape are quoted as SQL strings.
    return (
        "CREATE OR REPLACE TEMP VIEW cloudtrail_events AS SELECT "  # noqa: S608
        + ", ".join(columns)
        + f" FROM (SELECT unnest(from_json(json, {_text(shape)}).Records) AS r"
        + f" FROM read_json_objects({_list(paths)}, format='unstructured'))"
    )


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _list(paths: Sequence[str]) -> str:
    """A DuckDB list literal of file paths (a view takes no prepared parameters)."""
    return "[" + ", ".join(_text(p) for p in paths) + "]"


def _reason(error: duckdb.Error, path: str) -> str:
    message = str(error).strip()
    first = message.splitlines()[0] if message else type(error).__name__
    return first.replace(f' in file "{path}"', "").replace(path, "the file")[:300]
