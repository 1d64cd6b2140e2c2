"""The ingest's SQL path (DuckDB reads, groups, joins the core's decisions, groups again) gives exactly
the usage that the pure core gives record by record: on every fixture, and on one record per exception
of the rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sojourn.activity.duckdb_aggregator import DuckDbAggregator
from sojourn.activity.local_files import find_trail_files
from sojourn.activity.rules_file import event_rules_text, load_event_rules
from sojourn.catalog import ActionCatalog, load_catalog
from sojourn.usage.lines import EventGroup, UsageBatch, event_time, usage_lines
from sojourn.usage.record import call_of, identity_of
from sojourn.usage.rules import EventRules
from tests.activity.trail_layout import lay_out_samples, log_key, write_log
from tests.usage.samples import fixture_records, parseable_records, sample_files

DOCUMENT = json.loads(event_rules_text())
ACCOUNT = "111122223333"


@pytest.fixture(scope="module")
def catalog() -> ActionCatalog:
    return load_catalog()


@pytest.fixture(scope="module")
def rules() -> EventRules:
    return load_event_rules()


def _by_sql(root: Path, catalog: ActionCatalog, rules: EventRules) -> UsageBatch:
    aggregator = DuckDbAggregator(root, rules, threads=1, catalog=catalog)
    try:
        aggregate = aggregator.aggregate(find_trail_files(root))
    finally:
        aggregator.close()
    assert aggregate.usage is not None
    return aggregate.usage


def _by_record(records: list[dict[str, object]], catalog: ActionCatalog, rules: EventRules) -> UsageBatch:
    groups = [
        EventGroup(
            identity_of(r),
            call_of(r, rules),
            event_time(str(r["eventTime"])),
            event_time(str(r["eventTime"])),
            1,
        )
        for r in records
    ]
    return usage_lines(groups, catalog, rules)


def _assert_same(sql: UsageBatch, core: UsageBatch) -> None:
    assert sorted(sql.lines, key=lambda line: line.key) == sorted(core.lines, key=lambda line: line.key)
    assert (sql.events, sql.used, sql.permissionless, sql.not_calls, sql.by_services) == (
        core.events,
        core.used,
        core.permissionless,
        core.not_calls,
        core.by_services,
    )
    assert dict(sql.unmapped) == dict(core.unmapped)


def test_every_fixture_gives_the_same_usage_through_sql_as_through_the_core(
    tmp_path: Path, catalog: ActionCatalog, rules: EventRules
) -> None:
    lay_out_samples(tmp_path)
    write_log(tmp_path, log_key(ACCOUNT, "eu-west-1", "2026-11-02", "shapes"), fixture_records())
    records = [*parseable_records(sample_files()), *fixture_records()]
    sql = _by_sql(tmp_path, catalog, rules)
    core = _by_record(records, catalog, rules)
    _assert_same(sql, core)
    assert sql.used > 0 and sql.permissionless > 0 and len(sql.lines) > 5


def _record(source: str, name: str, **extra: object) -> dict[str, object]:
    role = f"arn:aws:iam::{ACCOUNT}:role/app"
    return {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "AssumedRole",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/app/session-1",
            "accountId": ACCOUNT,
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": role}},
        },
        "eventTime": "2026-11-02T10:00:00Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": "eu-west-1",
        "eventType": "AwsApiCall",
        "recipientAccountId": ACCOUNT,
        "requestParameters": {"bucketName": "orders", "tableName": "orders", "functionName": "handler"},
        **extra,
    }


def _first_action_of(catalog: ActionCatalog, prefix: str) -> str:
    service = catalog.service(prefix)
    assert service is not None, prefix
    return next(iter(service.actions.values())).name.split(":", 1)[1]


def _exception_records(catalog: ActionCatalog) -> list[tuple[str, dict[str, object]]]:
    """One record for every entry of the rules document (and every value of its lists)."""
    out: list[tuple[str, dict[str, object]]] = []
    for entry in DOCUMENT["renamed"]:
        out.append((f"renamed {entry['event']}", _record(entry["source"], entry["event"])))
    for entry in DOCUMENT["source_prefixes"]:
        name = _first_action_of(catalog, entry["prefix"])
        out.append((f"source {entry['source']}", _record(entry["source"], name)))
    for entry in DOCUMENT["versioned_names"]:
        out.append((f"versioned {entry['example']}", _record(entry["source"], entry["example"])))
    for entry in DOCUMENT["http_verbs"]:
        for head in entry["verbs"]:
            out.append((f"verb {head}", _record(entry["source"], f"{head}Resource")))
    for entry in DOCUMENT["permissionless"]:
        out.append((f"permissionless {entry['event']}", _record(entry["source"], entry["event"])))
    for code in DOCUMENT["denied_error_codes"]:
        out.append((f"denied {code}", _record("s3.amazonaws.com", "GetObject", errorCode=code)))
    for kind in DOCUMENT["not_api_calls"]:
        out.append((f"not a call {kind}", _record("kms.amazonaws.com", "RotateKey", eventType=kind)))
    for entry in DOCUMENT["data_events"]:
        for name in entry["events"]:
            out.append((f"data {name}", _record(entry["source"], name)))
    out.append(("not denied NoSuchKey", _record("s3.amazonaws.com", "GetObject", errorCode="NoSuchKey")))
    out.append(("insight", _record("cloudtrail.amazonaws.com", "x", eventCategory="Insight")))
    out.append(("unmapped", _record("nowhere.amazonaws.com", "DoThings")))
    service = {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}
    out.append(("by a service", {**_record("kms.amazonaws.com", "Decrypt"), "userIdentity": service}))
    center = {"type": "IdentityCenterUser", "accountId": ACCOUNT, "onBehalfOf": {"userId": "u-1"}}
    out.append(
        ("identity center user", {**_record("sso.amazonaws.com", "ListAccounts"), "userIdentity": center})
    )
    out.append(
        ("number parameter", _record("s3.amazonaws.com", "GetObject", requestParameters={"bucketName": 7}))
    )
    out.append(
        ("object parameter", _record("s3.amazonaws.com", "GetObject", requestParameters={"bucketName": {}}))
    )
    out.append(
        ("empty parameter", _record("s3.amazonaws.com", "GetObject", requestParameters={"bucketName": ""}))
    )
    arn = {"resources": [{"ARN": f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/k-1"}]}
    out.append(("resource arn", _record("kms.amazonaws.com", "Decrypt", **arn)))
    return out


def test_each_exception_of_the_rules_maps_the_same_through_sql_as_through_the_core(
    tmp_path: Path, catalog: ActionCatalog, rules: EventRules
) -> None:
    cases = _exception_records(catalog)
    assert len(cases) > 100
    records = []
    for index, (_, record) in enumerate(cases):
        identity = dict(record["userIdentity"])  # type: ignore[arg-type]
        if identity.get("type") == "AssumedRole":
            role = f"arn:aws:iam::{ACCOUNT}:role/case-{index}"
            identity["sessionContext"] = {"sessionIssuer": {"type": "Role", "arn": role}}
        records.append({**record, "userIdentity": identity})
    write_log(tmp_path, log_key(ACCOUNT, "eu-west-1", "2026-11-02", "cases"), records)
    sql = _by_sql(tmp_path, catalog, rules)
    core = _by_record(records, catalog, rules)
    assert sql.events == len(cases)
    _assert_same(sql, core)
    principals = {line.principal.rsplit("/", 1)[-1] for line in sql.lines}
    assert len(principals) > 80
    """Every case charged to a role of its own: a difference in one case cannot hide behind another's."""


def test_a_pretty_printed_file_is_read_as_well_as_a_one_line_one(
    tmp_path: Path, catalog: ActionCatalog, rules: EventRules
) -> None:
    records = [_record("dynamodb.amazonaws.com", "Query"), _record("s3.amazonaws.com", "ListObjectsV2")]
    write_log(tmp_path, log_key(ACCOUNT, "eu-west-1", "2026-11-02", "one-line"), records)
    pretty = json.dumps({"Records": records}, indent=2).encode()
    write_log(tmp_path, log_key(ACCOUNT, "eu-west-1", "2026-11-03", "pretty"), pretty)
    sql = _by_sql(tmp_path, catalog, rules)
    assert sql.events == 4
    assert {(line.action, line.calls) for line in sql.lines} == {("dynamodb:Query", 2), ("s3:ListBucket", 2)}
