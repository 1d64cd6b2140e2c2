"""`sojourn audit`: verify the chain, show records, export them for a SIEM."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from sojourn.access.audit import siem_document
from sojourn.bootstrap import Runtime
from sojourn.cli.consoles import screen
from sojourn.cli.render import account_names, show_audit
from sojourn.cli.runtime import runtime
from sojourn.service.actor import acting_as
from sojourn.service.audit import AuditFilter, AuditTrail, DatabaseReplaced, VerifyReport
from sojourn.service.ports.audit import CheckpointInvalid
from sojourn.service.reconciling import reconcile_interrupted

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
console = screen()
DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL of Sojourn's database")
]


def _time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a real time; write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+00:00"
        ) from None


@audit_app.command()
def verify(
    head: Annotated[str | None, typer.Option(help="the head hash you kept from an earlier verify")] = None,
    reconcile: Annotated[
        bool, typer.Option(help="read AWS back for the changes interrupted applies left in flight")
    ] = True,
    endpoint_url: Annotated[str | None, typer.Option("--endpoint-url", help="AWS endpoint")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Check every record against the last signed checkpoint; exit 1 on any change, removal or reorder.

    Then close the applies that were interrupted, recording what AWS shows of their in-flight changes.
    """
    rt = runtime(endpoint_url=endpoint_url, database_url=database_url)
    try:
        trail = rt.audit_trail()
        try:
            rt.store().audit.check_database()
            report = trail.verify(head)
        except (CheckpointInvalid, DatabaseReplaced) as error:
            console.print(f"[red]refused:[/red] {error}", highlight=False)
            raise typer.Exit(1) from error
        _show_report(report, trail)
        if not report.ok:
            raise typer.Exit(1)
        if reconcile and rt.store().runs.unreconciled():
            _reconcile(trail, rt)
    finally:
        rt.close()


def _show_report(report: VerifyReport, trail: AuditTrail) -> None:
    if not report.ok:
        for problem in report.problems:
            console.print(f"[red]tampered:[/red] {problem}", highlight=False)
        return
    kept = trail.last_checkpoint()
    anchor = (
        f"checkpoint of {kept.at.isoformat(timespec='seconds')} at record {kept.seq} holds"
        if kept is not None
        else "no signed checkpoint yet (the next apply writes one, or `sojourn audit checkpoint`)"
    )
    console.print(
        f"[green]OK[/green]: {report.checked} records; {anchor}; head {report.head_hash}", highlight=False
    )


def _reconcile(trail: AuditTrail, rt: Runtime) -> None:
    try:
        actor = acting_as(rt.settings.actor, rt.provider) or "sojourn"  # nobody named: Sojourn reconciles
        closed = reconcile_interrupted(rt.store().runs, rt.gateway(), actor=actor, clock=rt.clock)
    except Exception as error:  # AWS unreachable: the runs stay open for the next try
        console.print(
            f"[yellow]interrupted applies are still open[/yellow]: AWS could not be read back "
            f"({type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}); "
            "run `sojourn audit verify` again when AWS answers, or the next `sojourn apply` closes them",
            highlight=False,
        )
        raise typer.Exit(1) from error
    for run in closed:
        console.print(
            f"closed interrupted run {run.run_id}: of its in-flight changes {run.applied} were made in "
            f"AWS and {run.not_applied} not (recorded as *.reconciled)",
            highlight=False,
        )
    trail.checkpoint(rt.clock.now())


@audit_app.command()
def checkpoint(database_url: DatabaseOption = None) -> None:
    """Verify the log, then sign and keep a checkpoint of its head (run it from cron, e.g. hourly)."""
    rt = runtime(database_url=database_url)
    try:
        trail = rt.audit_trail()
        try:
            rt.store().audit.check_database()
            report = trail.verify()
            if report.ok:
                kept = trail.checkpoint(rt.clock.now())
        except (CheckpointInvalid, DatabaseReplaced) as error:
            console.print(f"[red]refused:[/red] {error}", highlight=False)
            raise typer.Exit(1) from error
    finally:
        rt.close()
    if not report.ok:
        _show_report(report, trail)
        console.print("no checkpoint written: the log does not verify", highlight=False)
        raise typer.Exit(1)
    where = rt.settings.audit_checkpoint_paths()[0]
    at = "nothing to sign yet: the log is empty" if kept is None else f"record {kept.seq} signed in {where}"
    console.print(f"[green]checkpoint[/green]: {at}", highlight=False)


@audit_app.command()
def keygen(
    key_file: Annotated[
        Path | None,
        typer.Option(help="where to write it; default SOJOURN_AUDIT_KEY_FILE or beside the database"),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create the Ed25519 key that signs audit checkpoints (mode 0600; never overwrites one)."""
    rt = runtime(database_url=database_url)
    path = key_file or rt.settings.audit_checkpoint_paths()[1]
    try:
        key = rt.create_audit_key(path)
    except (CheckpointInvalid, OSError) as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(1) from error
    console.print(f"wrote {path} (key {key}); keep it away from the database's users", highlight=False)


@audit_app.command()
def show(
    person: Annotated[str | None, typer.Option()] = None,
    account: Annotated[str | None, typer.Option(help="account id")] = None,
    permission_set: Annotated[str | None, typer.Option()] = None,
    action: Annotated[str | None, typer.Option(help="e.g. assignment.* or apply.start")] = None,
    since: Annotated[str | None, typer.Option(help="ISO time, inclusive")] = None,
    until: Annotated[str | None, typer.Option(help="ISO time, exclusive")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="the records in the export's schema")] = False,
    name_accounts: Annotated[
        bool, typer.Option(help="read the organisation from AWS to name each account beside its id")
    ] = True,
    endpoint_url: Annotated[str | None, typer.Option("--endpoint-url", help="AWS endpoint")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Records filtered by person, account, permission set, action and time."""
    wanted = AuditFilter(person, account, permission_set, action, _time(since), _time(until))
    rt = runtime(endpoint_url=endpoint_url, database_url=database_url)
    try:
        records = AuditTrail(rt.store().audit).records(wanted)
        names = _names_if_readable(rt) if name_accounts and records else {}
    finally:
        rt.close()
    if as_json:
        print(json.dumps([_named(siem_document(r), names) for r in records], indent=1))
        return
    show_audit(console, records, names)


def _names_if_readable(rt: Runtime) -> dict[str, str]:
    """Account id -> name from AWS; none when AWS cannot be read (the log is read from the database)."""
    try:
        return account_names(rt.provider())
    except Exception:  # no credentials, no endpoint: the records still show, with ids alone
        return {}


def _named(document: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    account = document["cloud"]["account"]
    if account["id"] in names:
        account["name"] = names[account["id"]]
    return document


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    OCSF = "ocsf"


@audit_app.command()
def export(
    since: Annotated[str | None, typer.Option(help="ISO time, inclusive")] = None,
    format: Annotated[
        ExportFormat,
        typer.Option("--format", help="jsonl: Sojourn's SIEM schema; ocsf: OCSF 1.5.0 events (JSON lines)"),
    ] = ExportFormat.JSONL,
    name_accounts: Annotated[
        bool, typer.Option(help="ocsf: read the organisation from AWS to name each account beside its id")
    ] = False,
    endpoint_url: Annotated[str | None, typer.Option("--endpoint-url", help="AWS endpoint")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Write the log as JSON lines in the SIEM schema of docs/audit.md, or as OCSF events."""
    rt = runtime(endpoint_url=endpoint_url, database_url=database_url)
    try:
        names = account_names(rt.provider()) if name_accounts else None
        trail = AuditTrail(rt.store().audit)
        trail.export(lambda line: print(line, end=""), _time(since), format=format.value, account_names=names)
    finally:
        rt.close()


@audit_app.command()
def held(
    permission_set: Annotated[str, typer.Option(help="e.g. prod-admin")],
    account: Annotated[str, typer.Option(help="account id")],
    since: Annotated[str, typer.Option(help="ISO time, inclusive")],
    until: Annotated[str, typer.Option(help="ISO time, exclusive")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Who held PERMISSION_SET on ACCOUNT between SINCE and UNTIL, from when to when, approved by whom."""
    start, end = datetime.fromisoformat(since), datetime.fromisoformat(until)
    rt = runtime(database_url=database_url)
    try:
        found = AuditTrail(rt.store().audit).held(permission_set, account, start, end)
    finally:
        rt.close()
    if as_json:
        rows = [
            {
                "person": h.person,
                "request": h.request,
                "from": h.start.isoformat(),
                "until": h.end.isoformat() if h.end else None,
                "approved_by": list(h.approved_by),
                "source": h.source,
            }
            for h in found
        ]
        print(json.dumps(rows, indent=1))
        return
    for h in found:
        until_text = h.end.isoformat(timespec="seconds") if h.end else "still held"
        approvers = ", ".join(h.approved_by) or h.source
        console.print(
            f"{h.person}: {h.start.isoformat(timespec='seconds')} -> {until_text} "
            f"(request {h.request}, approved by {approvers})",
            highlight=False,
        )
