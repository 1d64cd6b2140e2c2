"""The one aggregation of CloudTrail records into event groups, as SQL text that DuckDB and Athena both run.

The query reads a relation `cloudtrail_events`: one row per record, with the flat columns of
`event_fields` (each read from the record at its JSON path) and `resource_arn` (the first ARN of the
record's `resources`). Each engine's adapter provides that relation from its own storage (DuckDB: the log
files' Records; Athena: a view over the trail's table); the grouping itself is plain SQL, the same text for
both. Event times are compared as ISO-8601 text, which orders them without a dialect's date functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sojourn.usage.caller import Identity
from sojourn.usage.event import EventCall
from sojourn.usage.lines import EventGroup, event_time

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")

RECORD_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("identity_type", ("userIdentity", "type")),
    ("identity_arn", ("userIdentity", "arn")),
    ("issuer_arn", ("userIdentity", "sessionContext", "sessionIssuer", "arn")),
    ("identity_account", ("userIdentity", "accountId")),
    ("on_behalf_of", ("userIdentity", "onBehalfOf", "userId")),
    ("invoked_by", ("userIdentity", "invokedBy")),
    ("event_source", ("eventSource",)),
    ("event_name", ("eventName",)),
    ("event_type", ("eventType",)),
    ("event_category", ("eventCategory",)),
    ("error_code", ("errorCode",)),
    ("region", ("awsRegion",)),
    ("account_id", ("recipientAccountId",)),
)
"""Grouping columns of `cloudtrail_events` and the record path each is read from."""

TIME_FIELD = ("event_time", ("eventTime",))
RESOURCES_FIELD = ("resource_arn", ("resources", "ARN"))
"""`resource_arn` is the ARN of the first element of the `resources` list."""
TAIL_COLUMNS = ("first_seen", "last_seen", "calls")


@dataclass(frozen=True, slots=True)
class AggregationQuery:
    text: str
    parameters: tuple[str, ...]
    """The request parameters kept, in column order after `resource_arn`."""
    columns: tuple[str, ...]
    """The result's columns."""

    @property
    def event_fields(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Every scalar column of `cloudtrail_events` but `resource_arn`, with its record path."""
        return (
            *RECORD_FIELDS,
            TIME_FIELD,
            *((f"p_{p}", ("requestParameters", p)) for p in self.parameters),
        )


def aggregation_query(parameters: tuple[str, ...]) -> AggregationQuery:
    """Events grouped by caller, event, outcome and the resource-naming request parameters; S3's
    `resources` are left out (they name each object key, which would defeat the grouping)."""
    for parameter in parameters:
        if not _NAME.match(parameter):
            raise ValueError(f"not a request parameter name: {parameter!r}")
    selected = [name for name, _ in RECORD_FIELDS]
    selected.append(
        "CASE WHEN event_source = 's3.amazonaws.com' THEN NULL ELSE resource_arn END AS resource_arn"
    )
    selected += [f"p_{p}" for p in parameters]
    grouped = len(selected)
    selected += ["min(event_time) AS first_seen", "max(event_time) AS last_seen", "count(*) AS calls"]
    text = (
        "SELECT\n  "
        + ",\n  ".join(selected)
        + "\nFROM cloudtrail_events\n"
        + "WHERE event_source IS NOT NULL AND event_name IS NOT NULL AND event_time IS NOT NULL\n"
        + "GROUP BY "
        + ", ".join(str(i) for i in range(1, grouped + 1))
    )
    columns = (
        *(name for name, _ in RECORD_FIELDS),
        "resource_arn",
        *(f"p_{p}" for p in parameters),
        *TAIL_COLUMNS,
    )
    return AggregationQuery(text, parameters, columns)


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
