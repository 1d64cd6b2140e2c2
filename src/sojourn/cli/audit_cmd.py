"""`sojourn audit`: verify the chain, show records, export them for a SIEM."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console

from sojourn.bootstrap import Runtime
from sojourn.cli.render import show_audit
from sojourn.settings import Settings

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
console = Console(soft_wrap=True)
DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL of Sojourn's database")
]


def _time(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@audit_app.command()
def verify(
    head: Annotated[str | None, typer.Option(help="the head hash you kept from an earlier verify")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Check every record's hash and link; exit 1 on any change, removal or reordering."""
    rt = Runtime(Settings.from_environment(database_url=database_url))
    try:
        report = rt.store().audit.verify(expected_head=head)
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
    database_url: DatabaseOption = None,
) -> None:
    """Records filtered by person, account, permission set, action and time."""
    rt = Runtime(Settings.from_environment(database_url=database_url))
    try:
        records = rt.store().audit.query(
            person=person,
            account_id=account,
            permission_set=permission_set,
            action=action,
            since=_time(since),
            until=_time(until),
        )
    finally:
        rt.close()
    show_audit(console, records)


@audit_app.command()
def export(
    since: Annotated[str | None, typer.Option(help="ISO time, inclusive")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Write the log as JSON lines in the SIEM schema of docs/audit.md."""
    rt = Runtime(Settings.from_environment(database_url=database_url))
    try:
        rt.store().audit.export_jsonl(lambda line: print(line, end=""), since=_time(since))
    finally:
        rt.close()
