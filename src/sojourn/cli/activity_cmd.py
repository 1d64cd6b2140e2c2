"""`sojourn activity ingest|status`: CloudTrail log files into the usage table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sojourn.cli.consoles import screen
from sojourn.cli.runtime import runtime
from sojourn.service.activity import IngestProgress, IngestReport, ingest_activity
from sojourn.service.ports.activity import TrailUnreadable

activity_app = typer.Typer(help="CloudTrail activity: ingest log files, show how far ingest got.")
console = screen()
errors = screen(stderr=True)

DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL of Sojourn's database")
]
UNMAPPED_SHOWN = 10
S3_SCHEME = "s3://"


@activity_app.command("ingest")
def ingest(
    source: Annotated[
        str,
        typer.Option(
            "--from",
            help="directory holding the trail's AWSLogs/... log files (.json.gz or .json), or s3://bucket/prefix",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    endpoint_url: Annotated[
        str | None, typer.Option("--endpoint-url", help="AWS endpoint for s3:// (e.g. a moto server)")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Read new CloudTrail log files into the usage table; files ingested before are skipped."""
    bucket, _, prefix = source.removeprefix(S3_SCHEME).partition("/")
    if not source.startswith(S3_SCHEME) and not Path(source).is_dir():
        errors.print(
            f"error: {source} is not a directory; give the folder that holds AWSLogs/ or s3://bucket/prefix",
            markup=False,
        )
        raise typer.Exit(1)
    with runtime(endpoint_url, database_url) as rt:
        trail = rt.s3_trail(bucket, prefix) if source.startswith(S3_SCHEME) else rt.local_trail(Path(source))
        try:
            with Progress(
                TextColumn("ingesting"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=errors,
                transient=True,
                disable=as_json,
            ) as bar:
                task = bar.add_task("files", total=None)

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
            errors.print(f"error: reading {source}: {error}", markup=False)
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
