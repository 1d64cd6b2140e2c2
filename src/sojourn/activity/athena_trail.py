"""The trail as an Amazon Athena table: the same aggregation SQL run by Athena, through boto3.

The TrailSource's "files" are slices (account, region, UTC day) named like the log files' prefixes, so the
watermark, the skip of what was ingested and the resume after a crash work as for log files. Each batch of
slices is one query: StartQueryExecution, GetQueryExecution until it ends (with the bytes scanned reported
as progress), then GetQueryResults page by page.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sojourn.usage.aggregation_sql import AggregationQuery, aggregation_query, event_group
from sojourn.usage.athena_sql import AthenaStatus, AthenaTable, slice_aggregation, slices_query
from sojourn.usage.rules import EventRules
from sojourn.usage.trail_keys import FileAggregate, TrailFile, TrailUnreadable

ATHENA_SCHEME = "athena://"
FINISHED = ("SUCCEEDED", "FAILED", "CANCELLED")
INTEGER_TYPES = ("bigint", "integer", "int", "smallint", "tinyint")


class AthenaTrail:
    """The TrailSource port over an Athena table of CloudTrail logs (see usage/athena_sql.py)."""

    def __init__(
        self,
        client: Any,
        table: AthenaTable,
        rules: EventRules,
        *,
        workgroup: str,
        output: str,
        now: Callable[[], datetime],
        on_status: Callable[[AthenaStatus], None] | None = None,
        poll_seconds: float = 1.0,
        timeout_seconds: float = 3600.0,
    ) -> None:
        if not output.startswith("s3://"):
            raise ValueError(f"the Athena output location must be s3://bucket/prefix, not {output!r}")
        self._client = client
        self._table = table
        self._query: AggregationQuery = aggregation_query(rules.resource_parameters())
        self._workgroup = workgroup
        self._output = output
        self._now = now
        self._on_status = on_status
        self._poll = poll_seconds
        self._timeout = timeout_seconds

    @property
    def root(self) -> str:
        return f"{ATHENA_SCHEME}{self._table.database}.{self._table.table}/"

    def files(self) -> list[TrailFile]:
        """Every complete day of every account and region, as a slice keyed under its account/region."""
        before = self._now().strftime("%Y-%m-%d")
        found = []
        for row in self._rows(slices_query(self._table, before)):
            key, events = str(row["slice"]), int(str(row["events"]))
            account, region, day = key.split("/")
            prefix = f"{self.root}{account}/CloudTrail/{region}/"
            found.append(TrailFile(f"{prefix}{day.replace('-', '/')}", prefix, events))
        return sorted(found, key=lambda f: f.key)

    def aggregate(self, files: Sequence[TrailFile]) -> FileAggregate:
        if not files:
            return FileAggregate(())
        slices = [self._slice_of(f) for f in files]
        rows = self._rows(slice_aggregation(self._table, self._query, slices))
        return FileAggregate(
            tuple(event_group([row[c] for c in self._query.columns], self._query) for row in rows)
        )

    def close(self) -> None:
        return None

    def _slice_of(self, file: TrailFile) -> str:
        account, _, region_and_day = file.key.removeprefix(self.root).partition("/CloudTrail/")
        region, _, day = region_and_day.partition("/")
        return f"{account}/{region}/{day.replace('/', '-')}"

    def _rows(self, sql: str) -> Iterator[dict[str, object]]:
        query_id = self._start(sql)
        self._wait(query_id)
        yield from self._results(query_id)

    def _start(self, sql: str) -> str:
        try:
            started = self._client.start_query_execution(
                QueryString=sql,
                QueryExecutionContext={"Database": self._table.database},
                WorkGroup=self._workgroup,
                ResultConfiguration={"OutputLocation": self._output},
            )
        except (ClientError, BotoCoreError) as error:
            raise TrailUnreadable(f"starting an Athena query on {self._table.reference}: {error}") from error
        return str(started["QueryExecutionId"])

    def _wait(self, query_id: str) -> None:
        deadline = time.monotonic() + self._timeout
        while True:
            try:
                execution = self._client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
            except (ClientError, BotoCoreError) as error:
                raise TrailUnreadable(f"Athena query {query_id}: {error}") from error
            status = execution.get("Status", {})
            state = str(status.get("State", "QUEUED"))
            scanned = int(execution.get("Statistics", {}).get("DataScannedInBytes", 0) or 0)
            if self._on_status is not None:
                self._on_status(AthenaStatus(query_id, state, scanned))
            if state == "SUCCEEDED":
                return
            if state in FINISHED:
                reason = status.get("StateChangeReason", "no reason given")
                raise TrailUnreadable(f"Athena query {query_id} {state.lower()}: {reason}")
            if time.monotonic() > deadline:
                self._client.stop_query_execution(QueryExecutionId=query_id)
                raise TrailUnreadable(f"Athena query {query_id} did not finish in {self._timeout:.0f}s")
            time.sleep(self._poll)

    def _results(self, query_id: str) -> Iterator[dict[str, object]]:
        """Rows as {column: value}, typed by the result's column info; the first row of the first page is
        the header, as Athena returns it for a SELECT."""
        pages = self._client.get_paginator("get_query_results").paginate(QueryExecutionId=query_id)
        header_seen = False
        try:
            for page in pages:
                info = page["ResultSet"].get("ResultSetMetadata", {}).get("ColumnInfo", [])
                names = [str(c["Name"]) for c in info]
                integer = [str(c.get("Type", "")).lower() in INTEGER_TYPES for c in info]
                for row in page["ResultSet"].get("Rows", []):
                    values = [cell.get("VarCharValue") for cell in row.get("Data", [])]
                    if not header_seen:
                        header_seen = True
                        if values == names:
                            continue
                    yield {
                        name: (int(value) if is_int and value is not None else value)
                        for name, value, is_int in zip(names, values, integer, strict=True)
                    }
        except (ClientError, BotoCoreError) as error:
            raise TrailUnreadable(f"reading the results of Athena query {query_id}: {error}") from error
