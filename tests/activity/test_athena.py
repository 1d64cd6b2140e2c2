"""The Athena engine: its SQL text, run by DuckDB over a table in Athena's CloudTrail shape, gives the usage
the DuckDB engine gives on the same files; and the boto3 flow (start, poll, page through results, watermark)
against moto's Athena, which runs no SQL and returns the results queued for it (here: DuckDB's results of
the very texts the adapter sends, checked query by query)."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import boto3
import duckdb
import pytest
from typer.testing import CliRunner

from sojourn.activity.duckdb_aggregator import DuckDbAggregator
from sojourn.activity.local_files import find_trail_files
from sojourn.activity.rules_file import load_event_rules
from sojourn.catalog import ActionCatalog, load_catalog
from sojourn.cli.main import app
from sojourn.usage.aggregation_sql import aggregation_query, event_group
from sojourn.usage.athena_sql import AthenaTable, slice_aggregation, slices_query
from sojourn.usage.lines import UsageBatch, usage_lines
from sojourn.usage.rules import EventRules
from tests.activity.athena_shape import athena_shaped, results_of
from tests.activity.trail_layout import lay_out_samples, log_key, write_log
from tests.usage.samples import fixture_records

TABLE = AthenaTable("trails", "cloudtrail_logs")
TODAY = "2026-12-01"


@pytest.fixture(scope="module")
def catalog() -> ActionCatalog:
    return load_catalog()


@pytest.fixture(scope="module")
def rules() -> EventRules:
    return load_event_rules()


def _trail(root: Path) -> list[Path]:
    lay_out_samples(root)
    write_log(root, log_key("111122223333", "eu-west-1", "2026-11-02", "shapes"), fixture_records())
    today = fixture_records()[:2]
    for record in today:
        record["eventTime"] = f"{TODAY}T08:00:00Z"
    write_log(root, log_key("111122223333", "eu-west-1", TODAY, "today"), today)
    keys = [f.key for f in find_trail_files(root) if "ec2-user-data" not in f.key]
    return [root / key for key in keys]


def _duckdb_engine(root: Path, files: list[Path], catalog: ActionCatalog, rules: EventRules) -> UsageBatch:
    aggregator = DuckDbAggregator(root, rules, threads=1, catalog=catalog)
    try:
        wanted = {str(f) for f in files}
        trail = [
            f
            for f in find_trail_files(root)
            if str(root / f.key) in wanted and TODAY.replace("-", "/") not in f.key
        ]
        usage = aggregator.aggregate(trail).usage
    finally:
        aggregator.close()
    assert usage is not None
    return usage


def _queries(connection: duckdb.DuckDBPyConnection, rules: EventRules) -> tuple[str, str]:
    listing = slices_query(TABLE, TODAY)
    slices = [str(row[0]) for row in connection.execute(listing).fetchall()]
    return listing, slice_aggregation(TABLE, aggregation_query(rules.resource_parameters()), slices)


def test_the_athena_text_run_by_duckdb_gives_the_usage_of_the_duckdb_engine(
    tmp_path: Path, catalog: ActionCatalog, rules: EventRules
) -> None:
    files = _trail(tmp_path)
    connection = duckdb.connect()
    athena_shaped(connection, TABLE.database, TABLE.table, files)
    listing, aggregation = _queries(connection, rules)
    slices = connection.execute(listing).fetchall()
    assert all(day < TODAY for _, _, day in (str(s[0]).split("/") for s in slices)), "today is not complete"
    query = aggregation_query(rules.resource_parameters())
    groups = [event_group(row, query) for row in connection.execute(aggregation).fetchall()]
    by_athena = usage_lines(groups, catalog, rules)
    by_duckdb = _duckdb_engine(tmp_path, files, catalog, rules)
    assert sum(int(s[1]) for s in slices) == by_duckdb.events == by_athena.events
    assert sorted(by_athena.lines, key=lambda line: line.key) == sorted(
        by_duckdb.lines, key=lambda line: line.key
    )
    assert (by_athena.used, by_athena.permissionless, by_athena.by_services) == (
        by_duckdb.used,
        by_duckdb.permissionless,
        by_duckdb.by_services,
    )


def _queue(moto_endpoint: str, *results: dict[str, object]) -> None:
    body = json.dumps(
        {"account_id": "123456789012", "region": "us-east-1", "results": list(results)}
    ).encode()
    request = urllib.request.Request(
        f"{moto_endpoint}/moto-api/static/athena/query-results",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 201


def test_athena_ingest_through_moto_matches_the_local_ingest_and_is_incremental(
    moto_endpoint: str, tmp_path: Path, rules: EventRules, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _trail(tmp_path / "trail")
    connection = duckdb.connect()
    athena_shaped(connection, TABLE.database, TABLE.table, files)
    listing, aggregation = _queries(connection, rules)
    _queue(moto_endpoint, results_of(connection, listing), results_of(connection, aggregation))
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="athena-results")
    monkeypatch.setenv("SOJOURN_NOW", datetime(2026, 12, 1, 12, tzinfo=UTC).isoformat())
    runner = CliRunner()
    athena_args = ["--engine", "athena", "--database", TABLE.database, "--table", TABLE.table]
    athena_args += ["--workgroup", "primary", "--output", "s3://athena-results/sojourn/"]

    def ingest(database: Path, *args: str) -> dict[str, object]:
        common = ["activity", "ingest", "--json", "--database-url", f"sqlite:///{database}"]
        result = runner.invoke(app, [*common, *args, "--endpoint-url", moto_endpoint])
        assert "Traceback" not in result.output, result.output
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    by_athena = ingest(tmp_path / "athena.db", *athena_args)
    athena = boto3.client("athena", endpoint_url=moto_endpoint, region_name="us-east-1")
    sent = [
        athena.get_query_execution(QueryExecutionId=i)["QueryExecution"]
        for i in athena.list_query_executions()["QueryExecutionIds"]
    ]
    assert [q["Query"] for q in sent] == [listing, aggregation]
    assert {q["WorkGroup"] for q in sent} == {"primary"}
    assert {q["ResultConfiguration"]["OutputLocation"].split("/")[2] for q in sent} == {"athena-results"}

    local_root = tmp_path / "local"
    for path in files:
        key = path.relative_to(tmp_path / "trail")
        if TODAY.replace("-", "/") not in str(key):
            (local_root / key).parent.mkdir(parents=True, exist_ok=True)
            (local_root / key).write_bytes(path.read_bytes())
    local = ingest(tmp_path / "local.db", "--from", str(local_root))
    assert by_athena["events"] == local["events"]
    assert by_athena["usage_lines"] == local["usage_lines"]

    def lines(database: Path) -> list[dict[str, object]]:
        shown = runner.invoke(
            app, ["usage", "--principal", "arn:", "--json", "--database-url", f"sqlite:///{database}"]
        )
        assert shown.exit_code == 0, shown.output
        return json.loads(shown.stdout)["used"]

    assert lines(tmp_path / "athena.db") == lines(tmp_path / "local.db")

    _queue(moto_endpoint, results_of(connection, listing))
    again = ingest(tmp_path / "athena.db", *athena_args)
    assert again["files"]["ingested"] == 0
    assert again["files"]["already_ingested"] == by_athena["files"]["ingested"]
    status = runner.invoke(
        app, ["activity", "status", "--database-url", f"sqlite:///{tmp_path / 'athena.db'}"]
    )
    assert f"athena://{TABLE.database}.{TABLE.table}/111122223333/CloudTrail/eu-west-1/" in status.stdout


def test_a_failed_athena_query_is_a_clean_error(moto_endpoint: str, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "activity",
            "ingest",
            "--engine",
            "athena",
            "--database",
            "trails",
            "--table",
            "t",
            "--workgroup",
            "no-such-workgroup",
            "--output",
            "s3://results/",
            "--database-url",
            f"sqlite:///{tmp_path / 'db.sqlite'}",
            "--endpoint-url",
            moto_endpoint,
        ],
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "WorkGroup does not exist" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--engine", "athena", "--database", "d", "--table", "t"], "needs --database, --table and --output"),
        (["--engine", "athena", "--database", "d;", "--table", "t", "--output", "s3://b/"], "not an Athena"),
        (["--engine", "athena", "--database", "d", "--table", "t", "--output", "/tmp/x"], "must be s3://"),
        (["--engine", "spark"], "unknown engine"),
        (["--from", ".", "--table", "t"], "are for --engine athena"),
        ([], "give --from"),
    ],
)
def test_wrong_engine_options_are_one_line_errors(args: list[str], message: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["activity", "ingest", *args, "--database-url", f"sqlite:///{tmp_path / 'db.sqlite'}"]
    )
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


class _PagedAthena:
    """What moto's Athena does not do: results over several pages (NextToken) and a query that is queued,
    then running, before it succeeds. Speaks the boto3 client's shapes; used where moto cannot show these."""

    def __init__(self, pages: list[dict[str, object]]) -> None:
        self.pages = pages
        self.states = ["QUEUED", "RUNNING", "SUCCEEDED"]

    def start_query_execution(self, **_: object) -> dict[str, object]:
        return {"QueryExecutionId": "q-1"}

    def get_query_execution(self, QueryExecutionId: str) -> dict[str, object]:
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        scanned = {"QUEUED": 0, "RUNNING": 1024, "SUCCEEDED": 4096}[state]
        return {"QueryExecution": {"Status": {"State": state}, "Statistics": {"DataScannedInBytes": scanned}}}

    def get_paginator(self, name: str) -> _PagedAthena:
        assert name == "get_query_results"
        return self

    def paginate(self, QueryExecutionId: str) -> list[dict[str, object]]:
        return self.pages


def test_results_over_several_pages_are_read_whole_with_the_header_skipped_once(rules: EventRules) -> None:
    from sojourn.activity.athena_trail import AthenaTrail
    from sojourn.usage.athena_sql import AthenaStatus

    info = {"ColumnInfo": [{"Name": "slice", "Type": "varchar"}, {"Name": "events", "Type": "bigint"}]}

    def page(*rows: list[str]) -> dict[str, object]:
        return {
            "ResultSet": {
                "ResultSetMetadata": info,
                "Rows": [{"Data": [{"VarCharValue": v} for v in r]} for r in rows],
            }
        }

    pages = [
        page(["slice", "events"], ["111122223333/eu-west-1/2026-11-01", "5"]),
        page(["111122223333/eu-west-1/2026-11-02", "7"], ["222233334444/us-east-1/2026-11-02", "1"]),
    ]
    seen: list[AthenaStatus] = []
    trail = AthenaTrail(
        _PagedAthena(pages),
        TABLE,
        rules,
        workgroup="primary",
        output="s3://results/",
        now=lambda: datetime(2026, 12, 1, tzinfo=UTC),
        on_status=seen.append,
        poll_seconds=0,
    )
    files = trail.files()
    assert [(f.key.split("/", 3)[3], f.size) for f in files] == [
        ("111122223333/CloudTrail/eu-west-1/2026/11/01", 5),
        ("111122223333/CloudTrail/eu-west-1/2026/11/02", 7),
        ("222233334444/CloudTrail/us-east-1/2026/11/02", 1),
    ]
    assert [(s.state, s.scanned_bytes) for s in seen] == [
        ("QUEUED", 0),
        ("RUNNING", 1024),
        ("SUCCEEDED", 4096),
    ]
