"""`sojourn activity ingest|status`: CloudTrail log files into the usage table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from sojourn.cli.consoles import screen
from sojourn.cli.runtime import runtime
from sojourn.service.activity import IngestProgress, IngestReport, ingest_activity
from sojourn.service.ports.activity import TrailUnreadable
from sojourn.usage.athena_sql import AthenaStatus, AthenaTable

activity_app = typer.Typer(help="CloudTrail activity: ingest log files, show how far ingest got.")
console = screen()
errors = screen(stderr=True)

DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL of Sojourn's database")
]
UNMAPPED_SHOWN = 10
S3_SCHEME = "s3://"
ENGINES = ("duckdb", "athena")


@activity_app.command("ingest")
def ingest(
    source: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="directory holding the trail's AWSLogs/... log files (.json.gz or .json), or s3://bucket/prefix",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    endpoint_url: Annotated[
        str | None, typer.Option("--endpoint-url", help="AWS endpoint for s3:// (e.g. a moto server)")
    ] = None,
    database_url: DatabaseOption = None,
    engine: Annotated[
        str, typer.Option("--engine", help="duckdb (log files, this machine) or athena (the trail's table)")
    ] = "duckdb",
    athena_database: Annotated[
        str | None, typer.Option("--database", help="athena: the Glue database of the trail's table")
    ] = None,
    athena_table: Annotated[str | None, typer.Option("--table", help="athena: the trail's table")] = None,
    workgroup: Annotated[
        str, typer.Option("--workgroup", help="athena: the workgroup to run in")
    ] = "primary",
    output: Annotated[
        str | None, typer.Option("--output", help="athena: s3://bucket/prefix for the query results")
    ] = None,
) -> None:
    """Read new CloudTrail log files (or, with --engine athena, new days of the trail's table) into the
    usage table; what was ingested before is skipped."""
    table = _athena_table(engine, athena_database, athena_table, output, source)
    if table is None and source is None:
        _fail(
            "give --from DIR or --from s3://bucket/prefix "
            "(or --engine athena with --database, --table, --output)"
        )
    if (
        table is None
        and source is not None
        and not source.startswith(S3_SCHEME)
        and not Path(source).is_dir()
    ):
        _fail(f"{source} is not a directory; give the folder that holds AWSLogs/ or s3://bucket/prefix")
    with runtime(endpoint_url, database_url) as rt, _bar(as_json) as (bar, task):
        if table is not None:
            assert output is not None

            def athena_status(status: AthenaStatus) -> None:
                bar.update(
                    task, description=f"Athena {status.state.lower()}, {status.scanned_bytes:,} bytes scanned"
                )

            trail = rt.athena_trail(table, workgroup=workgroup, output=output, on_status=athena_status)
            shown = f"athena {table.reference}"
        else:
            assert source is not None
            bucket, _, prefix = source.removeprefix(S3_SCHEME).partition("/")
            trail = (
                rt.s3_trail(bucket, prefix) if source.startswith(S3_SCHEME) else rt.local_trail(Path(source))
            )
            shown = source
        try:

            def progress(step: IngestProgress) -> None:
                bar.update(
                    task,
                    completed=step.files_done,
                    total=step.files_total,
                    description=f"{step.events:,} events",
                )

            report = ingest_activity(
                trail, rt.usage(), rt.catalog(), rt.event_rules(), rt.clock, progress=progress
            )
        except TrailUnreadable as error:
            errors.print(f"error: reading {shown}: {error}", markup=False)
            raise typer.Exit(1) from error
        finally:
            trail.close()
    if as_json:
        console.print_json(json.dumps(report_document(report)))
    else:
        _show(report)
    if report.rejected:
        raise typer.Exit(1)


@activity_app.command("status")
def status(database_url: DatabaseOption = None) -> None:
    """Per account/region prefix: files ingested and the last one (the watermark)."""
    with runtime(database_url=database_url) as rt:
        marks = rt.usage().watermarks()
    if not marks:
        console.print("Nothing ingested yet: run `sojourn activity ingest --from DIR`.")
        return
    for mark in marks:
        when = f"{mark.last_ingested_at:%Y-%m-%d %H:%M}Z"
        prefix = mark.prefix or "(top level)"
        console.print(f"{prefix}  {mark.files} files, last {mark.last_key} at {when}", markup=False)


def _fail(message: str) -> NoReturn:
    errors.print(f"error: {message}", markup=False)
    raise typer.Exit(1)


def _athena_table(
    engine: str, database: str | None, table: str | None, output: str | None, source: str | None
) -> AthenaTable | None:
    """The table to read for --engine athena (None for duckdb); a wrong combination is a clean error."""
    if engine not in ENGINES:
        _fail(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if engine == "duckdb":
        if database or table or output:
            _fail("--database, --table and --output are for --engine athena")
        return None
    if source is not None:
        _fail("--engine athena reads the trail's table; leave out --from")
    if not database or not table or not output:
        _fail("--engine athena needs --database, --table and --output s3://bucket/prefix")
    if not output.startswith(S3_SCHEME):
        _fail(f"--output must be s3://bucket/prefix, not {output}")
    try:
        return AthenaTable(database, table)
    except ValueError as error:
        _fail(str(error))


@contextmanager
def _bar(quiet: bool) -> Iterator[tuple[Progress, TaskID]]:
    with Progress(
        TextColumn("ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
        disable=quiet,
    ) as bar:
        yield bar, bar.add_task("files", total=None)


def report_document(report: IngestReport) -> dict[str, object]:
    return {
        "files": {
            "found": report.files_found,
            "already_ingested": report.files_already,
            "ingested": report.files_ingested,
            "rejected": [{"key": r.key, "reason": r.reason} for r in report.rejected],
        },
        "events": {
            "total": report.events,
            "used": report.used,
            "permissionless": report.permissionless,
            "not_calls": report.not_calls,
            "by_aws_services": report.by_services,
            "unmapped": sum(report.unmapped.values()),
        },
        "unmapped": [
            {"event_source": s, "event_name": n, "events": c}
            for (s, n), c in sorted(report.unmapped.items(), key=lambda item: -item[1])
        ],
        "usage_lines": report.lines,
        "seconds": round(report.seconds, 3),
        "events_per_second": round(report.events_per_second),
    }


def _show(report: IngestReport) -> None:
    console.print(
        f"{report.files_ingested} files ingested, {report.files_already} already ingested, "
        f"{len(report.rejected)} rejected; {report.events:,} events in {report.seconds:.2f}s "
        f"({report.events_per_second:,.0f} events/s)"
    )
    console.print(
        f"  {report.used:,} used an IAM permission, {report.permissionless:,} needed none, "
        f"{report.by_services:,} by AWS services, {report.not_calls:,} not API calls, "
        f"{sum(report.unmapped.values()):,} not mapped; {report.lines:,} usage lines written"
    )
    for (source, name), count in sorted(report.unmapped.items(), key=lambda item: -item[1])[:UNMAPPED_SHOWN]:
        console.print(f"  not mapped: {source} {name} ({count} events)", markup=False)
    for rejected in report.rejected:
        errors.print(f"rejected: {rejected.key}: {rejected.reason}", markup=False)
    if report.rejected:
        errors.print("Fix or remove the rejected files and run the ingest again; the others are kept.")
