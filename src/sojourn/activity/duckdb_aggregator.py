"""Aggregate CloudTrail log files with DuckDB: each file's Records as the `cloudtrail_events` relation, then
the core's aggregation SQL over it, then (given the catalogue) the mapping to usage lines in SQL too.

Files are read by `read_json` with the record type spelled out (only the fields the aggregation uses), so
each file is parsed once, straight into typed columns. CloudTrail writes a log file as one line; a file
written over several lines (a sample, an export) is read again as unstructured JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from sojourn.activity.duckdb_usage import DuckDbUsageMapper
from sojourn.catalog.catalog import ActionCatalog
from sojourn.usage.aggregation_sql import RESOURCES_FIELD, AggregationQuery, aggregation_query, event_group
from sojourn.usage.lines import UsageBatch
from sojourn.usage.rules import EventRules
from sojourn.usage.trail_keys import FileAggregate, RejectedFile, TrailFile

MAXIMUM_OBJECT_BYTES = 1 << 31
"""A log file is one JSON object; CloudTrail's are well under this (DuckDB's own default is 16 MB)."""
FORMATS = ("newline_delimited", "unstructured")
GROUPS_TABLE = "event_groups"


class DuckDbAggregator:
    """Runs the aggregation over files under `root`; one in-memory DuckDB connection per instance.

    With a `catalog`, `aggregate` also maps the groups to usage lines inside DuckDB (the core decides each
    distinct call and caller once; the join and the final grouping are SQL) and returns them as `usage`.
    """

    def __init__(
        self,
        root: Path,
        rules: EventRules,
        *,
        threads: int | None = None,
        catalog: ActionCatalog | None = None,
    ) -> None:
        self._root = root
        self._query: AggregationQuery = aggregation_query(rules.resource_parameters())
        self._record_type = record_type(self._query)
        self._connection = duckdb.connect(":memory:")
        if threads is not None:
            self._connection.execute(f"SET threads = {int(threads)}")
        self._mapper = (
            DuckDbUsageMapper(self._connection, self._query, catalog, rules) if catalog is not None else None
        )

    def aggregate(self, files: Sequence[TrailFile]) -> FileAggregate:
        """Event groups (or usage, given a catalogue) of all readable files; when a batch fails, each file
        is retried alone so one bad file does not hold back the rest."""
        if not files:
            return FileAggregate((), (), UsageBatch(()) if self._mapper else None)
        try:
            self._group(files, FORMATS[0])
            return self._result(())
        except duckdb.Error:
            pass
        readable: list[TrailFile] = []
        rejected: list[RejectedFile] = []
        for file in files:
            reason = self._readable(file)
            if reason is None:
                readable.append(file)
            else:
                rejected.append(RejectedFile(file.key, reason))
        if not readable:
            return FileAggregate((), tuple(rejected), UsageBatch(()) if self._mapper else None)
        self._group(readable, None)
        return self._result(tuple(rejected))

    def event_groups(self, files: Sequence[TrailFile]) -> FileAggregate:
        """Only the first stage: the aggregation's rows as the core's EventGroups, not mapped."""
        mapper, self._mapper = self._mapper, None
        try:
            return self.aggregate(files)
        finally:
            self._mapper = mapper

    def close(self) -> None:
        self._connection.close()

    def _result(self, rejected: tuple[RejectedFile, ...]) -> FileAggregate:
        if self._mapper is not None:
            return FileAggregate((), rejected, self._mapper.usage(GROUPS_TABLE))
        rows = self._connection.execute(f"SELECT * EXCLUDE (call_id, identity_id) FROM {GROUPS_TABLE}")  # noqa: S608
        groups = tuple(event_group(row, self._query) for row in rows.fetchall())
        return FileAggregate(groups, rejected)

    def _readable(self, file: TrailFile) -> str | None:
        """None when DuckDB reads the file in one of the formats, else why not."""
        path = str(self._root / file.key)
        error: duckdb.Error | None = None
        for form in FORMATS:
            try:
                self._connection.execute(f"SELECT count(*) FROM {_read([path], self._record_type, form)}")  # noqa: S608
                return None
            except duckdb.Error as failure:
                error = failure
        assert error is not None
        return _reason(error, path)

    def _group(self, files: Sequence[TrailFile], form: str | None) -> None:
        """The groups of `files` into GROUPS_TABLE, numbered by distinct call and distinct caller."""
        paths = [str(self._root / f.key) for f in files]
        if form is None:
            sources = [_read([p], self._record_type, self._format_of(p)) for p in paths]
            relation = "(" + " UNION ALL ".join(f"SELECT * FROM {s}" for s in sources) + ")"  # noqa: S608
        else:
            relation = _read(paths, self._record_type, form)
        self._connection.execute(_events_view(self._query, relation))
        self._connection.execute(groups_table(self._query))

    def _format_of(self, path: str) -> str:
        try:
            self._connection.execute(f"SELECT count(*) FROM {_read([path], self._record_type, FORMATS[0])}")  # noqa: S608
        except duckdb.Error:
            return FORMATS[1]
        return FORMATS[0]


CALL_COLUMNS = (
    "event_source",
    "event_name",
    "event_type",
    "event_category",
    "error_code",
    "region",
    "account_id",
    "resource_arn",
)
IDENTITY_COLUMNS = (
    "identity_type",
    "identity_arn",
    "issuer_arn",
    "identity_account",
    "on_behalf_of",
    "invoked_by",
)


def groups_table(query: AggregationQuery) -> str:
    """The aggregation's rows, each numbered by its call (event and resources) and by its caller, so the
    mapping joins on two integers."""
    calls = ", ".join((*CALL_COLUMNS, *(f"p_{p}" for p in query.parameters)))
    identities = ", ".join(IDENTITY_COLUMNS)
    return (
        f"CREATE OR REPLACE TEMP TABLE {GROUPS_TABLE} AS SELECT *, "  # noqa: S608
        f"dense_rank() OVER (ORDER BY {calls}) AS call_id, "
        f"dense_rank() OVER (ORDER BY {identities}) AS identity_id "
        f"FROM ({query.text})"
    )


def record_type(query: AggregationQuery) -> str:
    """The DuckDB type of one record holding only the fields the query reads; request parameters are JSON
    so that only string values are kept, as the core does."""
    tree: dict[str, object] = {}
    for name, path in query.event_fields:
        node = tree
        for part in path[:-1]:
            child = node.setdefault(part, {})
            assert isinstance(child, dict)
            node = child
        node[path[-1]] = "JSON" if name.startswith("p_") else "VARCHAR"
    list_name, arn = RESOURCES_FIELD[1]
    tree[list_name] = f"STRUCT({_quoted(arn)} VARCHAR)[]"
    return _struct(tree)


def _struct(tree: dict[str, object]) -> str:
    fields = [f"{_quoted(k)} {_struct(v) if isinstance(v, dict) else v}" for k, v in tree.items()]
    return f"STRUCT({', '.join(fields)})"


def _read(paths: Sequence[str], record: str, form: str) -> str:
    columns = "{'Records': " + _text(record + "[]") + "}"
    return (
        f"read_json({_list(paths)}, columns={columns}, format='{form}', records=true, "
        f"maximum_object_size={MAXIMUM_OBJECT_BYTES})"
    )


def _events_view(query: AggregationQuery, relation: str) -> str:
    columns = []
    for name, path in query.event_fields:
        field = "r." + ".".join(_quoted(p) for p in path)
        if name.startswith("p_"):
            field = f"CASE WHEN json_type({field}) = 'VARCHAR' THEN {field} ->> '$' END"
        columns.append(f"{field} AS {name}")
    list_name, arn = RESOURCES_FIELD[1]
    columns.append(f"r.{_quoted(list_name)}[1].{_quoted(arn)} AS {RESOURCES_FIELD[0]}")
    # Column names come from the core's constants; paths are quoted identifiers, file names SQL strings.
    return (
        "CREATE OR REPLACE TEMP VIEW cloudtrail_events AS SELECT "  # noqa: S608
        + ", ".join(columns)
        + f" FROM (SELECT unnest(Records) AS r FROM {relation})"  # noqa: S608
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
