"""The one aggregation of CloudTrail records into event groups, as SQL text that DuckDB and Athena both run.

It reads a relation `cloudtrail_records` with one column, `record`: one CloudTrail record as JSON. The
engine's adapter provides that relation (DuckDB: unnest of each log file's Records; Athena: a view over the
trail's table) and, where the engine lacks it, `json_extract_scalar` (Athena's name; a DuckDB macro). Event
times are compared as ISO-8601 text, which orders them without a dialect's date functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sojourn.usage.caller import Identity
from sojourn.usage.event import EventCall
from sojourn.usage.lines import EventGroup, event_time

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")

GROUP_COLUMNS = (
    ("identity_type", "$.userIdentity.type"),
    ("identity_arn", "$.userIdentity.arn"),
    ("issuer_arn", "$.userIdentity.sessionContext.sessionIssuer.arn"),
    ("identity_account", "$.userIdentity.accountId"),
    ("on_behalf_of", "$.userIdentity.onBehalfOf.userId"),
    ("invoked_by", "$.userIdentity.invokedBy"),
    ("event_source", "$.eventSource"),
    ("event_name", "$.eventName"),
    ("event_type", "$.eventType"),
    ("event_category", "$.eventCategory"),
    ("error_code", "$.errorCode"),
    ("region", "$.awsRegion"),
    ("account_id", "$.recipientAccountId"),
)
"""Columns of the result before the request parameters, with the JSON path each is read from."""

TAIL_COLUMNS = ("first_seen", "last_seen", "calls")


@dataclass(frozen=True, slots=True)
class AggregationQuery:
    text: str
    parameters: tuple[str, ...]
    """The request parameters kept, in column order after `resource_arn`."""

    @property
    def columns(self) -> tuple[str, ...]:
        return (
            *(name for name, _ in GROUP_COLUMNS),
            "resource_arn",
            *(f"p_{p}" for p in self.parameters),
            *TAIL_COLUMNS,
        )


def aggregation_query(parameters: tuple[str, ...]) -> AggregationQuery:
    """Records grouped by caller, event, outcome and the resource-naming request parameters; S3's
    `resources` are left out (they name each object key, which would defeat the grouping)."""
    for parameter in parameters:
        if not _NAME.match(parameter):
            raise ValueError(f"not a request parameter name: {parameter!r}")
    selected = [f"json_extract_scalar(record, '{path}') AS {name}" for name, path in GROUP_COLUMNS]
    selected.append(
        "CASE WHEN json_extract_scalar(record, '$.eventSource') = 's3.amazonaws.com' THEN NULL "
        "ELSE json_extract_scalar(record, '$.resources[0].ARN') END AS resource_arn"
    )
    selected += [f"json_extract_scalar(record, '$.requestParameters.{p}') AS p_{p}" for p in parameters]
    grouped = len(selected)
    selected += [
        "min(json_extract_scalar(record, '$.eventTime')) AS first_seen",
        "max(json_extract_scalar(record, '$.eventTime')) AS last_seen",
        "count(*) AS calls",
    ]
    text = (
        "SELECT\n  "
        + ",\n  ".join(selected)
        + "\nFROM cloudtrail_records\n"
        + "WHERE json_extract_scalar(record, '$.eventSource') IS NOT NULL\n"
        + "  AND json_extract_scalar(record, '$.eventName') IS NOT NULL\n"
        + "  AND json_extract_scalar(record, '$.eventTime') IS NOT NULL\n"
        + "GROUP BY "
        + ", ".join(str(i) for i in range(1, grouped + 1))
    )
    return AggregationQuery(text, parameters)


def event_group(row: Sequence[object], query: AggregationQuery) -> EventGroup:
    """One result row of the aggregation as an EventGroup (the same for every engine)."""
    values = dict(zip(query.columns, row, strict=True))

    def text(name: str) -> str | None:
        value = values[name]
        return str(value) if value is not None and value != "" else None

    parameters = tuple(
        (p, str(values[f"p_{p}"])) for p in query.parameters if values[f"p_{p}"] not in (None, "")
    )
    identity = Identity(
        text("identity_type"),
        text("identity_arn"),
        text("issuer_arn"),
        text("identity_account"),
        text("on_behalf_of"),
        text("invoked_by"),
    )
    call = EventCall(
        source=str(values["event_source"]),
        name=str(values["event_name"]),
        event_type=text("event_type"),
        category=text("event_category"),
        error_code=text("error_code"),
        region=text("region"),
        account=text("account_id"),
        parameters=parameters,
        resource_arn=text("resource_arn"),
    )
    calls = values["calls"]
    assert isinstance(calls, int)
    return EventGroup(
        identity, call, event_time(str(values["first_seen"])), event_time(str(values["last_seen"])), calls
    )
