"""Aggregate CloudTrail log files with DuckDB: the core's aggregation SQL over each file's Records."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from sojourn.usage.aggregation_sql import AggregationQuery, aggregation_query, event_group
from sojourn.usage.lines import EventGroup
from sojourn.usage.rules import EventRules
from sojourn.usage.trail_keys import FileAggregate, RejectedFile, TrailFile

LARGEST_LOG_FILE = 1 << 30
"""DuckDB reads each file as one JSON value; CloudTrail files are far smaller than this."""

_RECORDS = (
    "CREATE OR REPLACE TEMP VIEW cloudtrail_records AS "
    "SELECT unnest(Records) AS record FROM read_json($files, columns={{'Records': 'JSON[]'}}, "
    "format='unstructured', maximum_object_size={size})"
)


class DuckDbAggregator:
    """Runs the aggregation over files under `root`; one in-memory DuckDB connection per instance."""

    def __init__(self, root: Path, rules: EventRules, *, threads: int | None = None) -> None:
        self._root = root
        self._query: AggregationQuery = aggregation_query(rules.resource_parameters())
        self._connection = duckdb.connect(":memory:")
        if threads is not None:
            self._connection.execute(f"SET threads = {int(threads)}")
        # Athena's name for the function; the shared SQL uses it.
        self._connection.execute(
            "CREATE OR REPLACE TEMP MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)"
        )

    def aggregate(self, files: Sequence[TrailFile]) -> FileAggregate:
        """Event groups of all readable files; a file that fails is retried alone so one bad file does
        not hold back the rest."""
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
        self._connection.execute(_RECORDS.format(size=LARGEST_LOG_FILE).replace("$files", _list(paths)))
        rows = self._connection.execute(self._query.text).fetchall()
        return tuple(event_group(row, self._query) for row in rows)


def _list(paths: Sequence[str]) -> str:
    """A DuckDB list literal of file paths (views take no prepared parameters)."""
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def _reason(error: duckdb.Error, path: str) -> str:
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return first.replace(f' in file "{path}"', "").replace(path, "the file")[:300]
