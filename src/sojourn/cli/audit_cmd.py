"""`sojourn audit`: verify the chain, show records, export them for a SIEM."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer

from sojourn.access.audit import siem_document
from sojourn.cli.consoles import screen
from sojourn.cli.render import show_audit
from sojourn.cli.runtime import runtime
from sojourn.service.audit import AuditFilter, AuditTrail

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
    database_url: DatabaseOption = None,
) -> None:
    """Check every record's hash and link; exit 1 on any change, removal or reordering."""
    rt = runtime(database_url=database_url)
    try:
        report = AuditTrail(rt.store().audit).verify(head)
    finally:
        rt.close()
    if report.ok:
        console.print(f"[green]OK[/green]: {report.checked} records; head {report.head_hash}")
        return
    for problem in report.problems:
        console.print(f"[red]tampered:[/red] {problem}")
    raise typer.Exit(1)


@audit_app.command()
def show(
    person: Annotated[str | None, typer.Option()] = None,
    account: Annotated[str | None, typer.Option(help="account id")] = None,
    permission_set: Annotated[str | None, typer.Option()] = None,
    action: Annotated[str | None, typer.Option(help="e.g. assignment.* or apply.start")] = None,
    since: Annotated[str | None, typer.Option(help="ISO time, inclusive")] = None,
    until: Annotated[str | None, typer.Option(help="ISO time, exclusive")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="the records in the export's schema")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Records filtered by person, account, permission set, action and time."""
    wanted = AuditFilter(person, account, permission_set, action, _time(since), _time(until))
    rt = runtime(database_url=database_url)
    try:
        records = AuditTrail(rt.store().audit).records(wanted)
    finally:
        rt.close()
    if as_json:
        print(json.dumps([siem_document(r) for r in records], indent=1))
        return
    show_audit(console, records)


@audit_app.command()
def export(
    since: Annotated[str | None, typer.Option(help="ISO time, inclusive")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Write the log as JSON lines in the SIEM schema of docs/audit.md."""
    rt = runtime(database_url=database_url)
    try:
        AuditTrail(rt.store().audit).export(lambda line: print(line, end=""), _time(since))
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
