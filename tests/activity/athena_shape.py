"""A DuckDB table shaped like the Athena table AWS documents for CloudTrail logs, filled from log files,
so the SQL text Sojourn sends to Athena can be run, unchanged, by DuckDB on the same records.

As CloudTrail's SerDe does: lower-case column names, `useridentity` and `resources` as structs,
`requestparameters` as the JSON text of the request.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from sojourn.usage.athena_sql import DUCKDB_MACROS

_RECORD = (
    "STRUCT(userIdentity STRUCT(type VARCHAR, arn VARCHAR, accountId VARCHAR, invokedBy VARCHAR,"
    " onBehalfOf STRUCT(userId VARCHAR), sessionContext STRUCT(sessionIssuer STRUCT(arn VARCHAR))),"
    " eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, eventType VARCHAR, eventCategory VARCHAR,"
    " errorCode VARCHAR, awsRegion VARCHAR, recipientAccountId VARCHAR, requestParameters JSON,"
    " resources STRUCT(ARN VARCHAR)[])[]"
)


def athena_shaped(
    connection: duckdb.DuckDBPyConnection, database: str, table: str, files: Sequence[Path]
) -> None:
    """Create `database`.`table` (a DuckDB schema and table) holding every record of `files`."""
    for macro in DUCKDB_MACROS:
        connection.execute(macro)
    connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{database}"')
    listed = "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"
    connection.execute(
        f'CREATE OR REPLACE TABLE "{database}"."{table}" AS SELECT '
        "{'type': r.userIdentity.type, 'arn': r.userIdentity.arn, 'accountid': r.userIdentity.accountId,"
        " 'invokedby': r.userIdentity.invokedBy, 'onbehalfof': {'userid': r.userIdentity.onBehalfOf.userId},"
        " 'sessioncontext': {'sessionissuer': {'arn': r.userIdentity.sessionContext.sessionIssuer.arn}}}"
        " AS useridentity,"
        " r.eventTime AS eventtime, r.eventSource AS eventsource, r.eventName AS eventname,"
        " r.eventType AS eventtype, r.eventCategory AS eventcategory, r.errorCode AS errorcode,"
        " r.awsRegion AS awsregion, r.recipientAccountId AS recipientaccountid,"
        " CAST(r.requestParameters AS VARCHAR) AS requestparameters,"
        " [{'arn': x.ARN} FOR x IN coalesce(r.resources, [])] AS resources"
        f" FROM (SELECT unnest(Records) AS r FROM read_json({listed}, columns={{'Records': '{_RECORD}'}},"
        " format='unstructured', records=true, maximum_object_size=1000000000))"
    )


def results_of(connection: duckdb.DuckDBPyConnection, sql: str) -> dict[str, object]:
    """The query's result as Athena's GetQueryResults returns it (a header row, then every value as text)."""
    cursor = connection.execute(sql)
    assert cursor.description is not None
    names = [d[0] for d in cursor.description]
    kinds = [
        "bigint" if str(d[1]).upper() in ("BIGINT", "HUGEINT", "INTEGER") else "varchar"
        for d in cursor.description
    ]
    rows = [{"Data": [{"VarCharValue": n} for n in names]}]
    for row in cursor.fetchall():
        rows.append({"Data": [{} if v is None else {"VarCharValue": str(v)} for v in row]})
    return {
        "rows": rows,
        "column_info": [
            {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": n, "Label": n, "Type": k}
            for n, k in zip(names, kinds, strict=True)
        ],
    }
