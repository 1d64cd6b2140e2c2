"""The aggregation as Amazon Athena runs it over an organisation trail's table (the table AWS documents for
CloudTrail logs: lower-case columns, `useridentity` and `resources` as structs, `requestparameters` as JSON
text). Pure text building; the adapter sends it.

The trail is read in slices: one account, region and UTC day. A slice is the unit of the watermark, like a
log file for the DuckDB engine: `slices_query` lists the complete days, `slice_aggregation` groups a batch
of them with the same `aggregation_sql` text, over `cloudtrail_events` defined as a WITH clause. Only
functions Athena (Trino) has are used; DuckDB runs the same text given two macros (`DUCKDB_MACROS`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sojourn.usage.aggregation_sql import AggregationQuery

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SLICE = re.compile(r"^[0-9a-z_-]*/[a-z0-9-]*/\d{4}-\d{2}-\d{2}$")

TABLE_COLUMNS: dict[str, str] = {
    "identity_type": "useridentity.type",
    "identity_arn": "useridentity.arn",
    "issuer_arn": "useridentity.sessioncontext.sessionissuer.arn",
    "identity_account": "useridentity.accountid",
    "on_behalf_of": "useridentity.onbehalfof.userid",
    "invoked_by": "useridentity.invokedby",
    "event_source": "eventsource",
    "event_name": "eventname",
    "event_type": "eventtype",
    "event_category": "eventcategory",
    "error_code": "errorcode",
    "region": "awsregion",
    "account_id": "recipientaccountid",
    "event_time": "eventtime",
}
"""Each column of `cloudtrail_events` read from the trail table's column of the same field."""

SLICE_KEY = (
    "coalesce(recipientaccountid, '') || '/' || coalesce(awsregion, '') || '/' || substr(eventtime, 1, 10)"
)

DUCKDB_MACROS = (
    "CREATE OR REPLACE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)",
    "CREATE OR REPLACE MACRO json_format(j) AS CAST(j AS VARCHAR)",
)
"""The two Trino functions DuckDB lacks, so that DuckDB runs Athena's text unchanged."""


@dataclass(frozen=True, slots=True)
class AthenaStatus:
    """One poll of a running query, for progress."""

    query_id: str
    state: str
    scanned_bytes: int


@dataclass(frozen=True, slots=True)
class AthenaTable:
    database: str
    table: str

    def __post_init__(self) -> None:
        for name in (self.database, self.table):
            if not _IDENTIFIER.match(name):
                raise ValueError(f"not an Athena database or table name: {name!r}")

    @property
    def reference(self) -> str:
        return f'"{self.database}"."{self.table}"'


def slices_query(table: AthenaTable, before_day: str) -> str:
    """(slice key, events) of every account/region/day before `before_day` (YYYY-MM-DD): complete days only,
    so a slice once ingested never grows."""
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", before_day):
        raise ValueError(f"not a day: {before_day!r}")
    return (
        f"SELECT {SLICE_KEY} AS slice, count(*) AS events\n"
        f"FROM {table.reference}\n"
        f"WHERE eventtime IS NOT NULL AND substr(eventtime, 1, 10) < '{before_day}'\n"
        "GROUP BY 1\nORDER BY 1"
    )


def slice_aggregation(table: AthenaTable, query: AggregationQuery, slices: Sequence[str]) -> str:
    """The aggregation over the records of `slices` (keys from `slices_query`)."""
    if not slices:
        raise ValueError("no slices to aggregate")
    for key in slices:
        if not _SLICE.match(key):
            raise ValueError(f"not a slice key: {key!r}")
    columns = [f"{source} AS {name}" for name, source in TABLE_COLUMNS.items()]
    columns.append("CASE WHEN cardinality(resources) > 0 THEN resources[1].arn END AS resource_arn")
    columns += [f"{_string_parameter(p)} AS p_{p}" for p in query.parameters]
    listed = ", ".join(f"'{key}'" for key in slices)
    return (
        "WITH cloudtrail_events AS (\n  SELECT\n    "
        + ",\n    ".join(columns)
        + f"\n  FROM {table.reference}\n  WHERE {SLICE_KEY} IN ({listed})\n)\n"
        + query.text
    )


def _string_parameter(name: str) -> str:
    """requestParameters.<name> when it is a JSON string (numbers, objects and lists are not names)."""
    path = f"'$.{name}'"
    return (
        f"CASE WHEN strpos(json_format(json_extract(requestparameters, {path})), '\"') = 1 "
        f"THEN json_extract_scalar(requestparameters, {path}) END"
    )
