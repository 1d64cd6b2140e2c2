"""`sojourn usage`: what was used, by whom, on which resources, beside what is granted."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sojourn.access.issues import ConfigInvalid
from sojourn.cli.consoles import screen
from sojourn.cli.runtime import runtime
from sojourn.service.config_plans import ConfigUnreadable
from sojourn.service.usage_report import PermissionSetUnknown, permission_set_usage, principal_usage
from sojourn.usage.report import ActionUsage, UsageReport

console = screen()
errors = screen(stderr=True)
RESOURCES_SHOWN = 3


def usage(
    principal: Annotated[str | None, typer.Option(help="IAM principal ARN (role, user, root)")] = None,
    permission_set: Annotated[
        str | None, typer.Option("--permission-set", help="permission set name from the configuration")
    ] = None,
    days: Annotated[int | None, typer.Option(min=1, help="only actions last used in the last N days")] = None,
    config: Annotated[
        Path, typer.Option("--config", "-c", help="configuration (for --permission-set)")
    ] = Path("access"),
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy URL of Sojourn's database")
    ] = None,
) -> None:
    """What a principal or a permission set used (see `sojourn activity ingest`), beside what is granted."""
    if (principal is None) == (permission_set is None):
        errors.print("error: give exactly one of --principal ARN or --permission-set NAME", markup=False)
        raise typer.Exit(1)
    with runtime(database_url=database_url) as rt:
        since = rt.clock.now() - timedelta(days=days) if days else None
        try:
            if principal is not None:
                report = principal_usage(rt.usage(), rt.catalog(), principal, since=since)
            else:
                assert permission_set is not None
                report = permission_set_usage(rt.usage(), rt.catalog(), config, permission_set, since=since)
        except (ConfigUnreadable, ConfigInvalid, PermissionSetUnknown) as error:
            errors.print(f"error: {error}", markup=False)
            raise typer.Exit(1) from error
    if as_json:
        console.print_json(json.dumps(report_document(report, days)))
    else:
        _show(report, days)


def report_document(report: UsageReport, days: int | None) -> dict[str, object]:
    return {
        "subject": report.subject,
        "days": days,
        "used": [_action_document(a) for a in report.used],
        "denied": [_action_document(a) for a in report.denied],
        "access_levels": [
            {"level": s.level, "granted": s.granted, "used": s.used, "unused": s.unused}
            for s in report.levels
        ],
        "not_expanded": list(report.not_expanded),
    }


def _action_document(action: ActionUsage) -> dict[str, object]:
    return {
        "action": action.action,
        "access_level": action.access_level,
        "resources": list(action.resources),
        "sessions": list(action.sessions),
        "principals": list(action.principals),
        "first_seen": action.first_seen.isoformat(),
        "last_seen": action.last_seen.isoformat(),
        "calls": action.calls,
        "granted": action.granted,
    }


def _show(report: UsageReport, days: int | None) -> None:
    period = f"last {days} days" if days else "all ingested activity"
    if not report.used and not report.denied:
        console.print(f"No activity of {report.subject} ({period}). Ingest with `sojourn activity ingest`.")
    else:
        console.print(f"[bold]{report.subject}[/bold] ({period})")
        console.print(_actions_table("Used", report.used))
        if report.denied:
            console.print(_actions_table("Wanted but denied", report.denied))
    levels = Table(title="Per access level")
    for column in ("level", "granted", "used", "granted, not used"):
        levels.add_column(column, justify="left" if column == "level" else "right")
    for s in report.levels:
        levels.add_row(s.level, _count(s.granted), str(s.used), _count(s.unused))
    console.print(levels)
    if report.not_expanded:
        console.print(
            "Granted counts unknown: not expanded offline: " + "; ".join(report.not_expanded), markup=False
        )


def _actions_table(title: str, actions: tuple[ActionUsage, ...]) -> Table:
    table = Table(title=title)
    for column in ("action", "level", "resources", "by", "last used", "calls", "granted"):
        table.add_column(column, overflow="fold")
    for a in actions:
        shown = list(a.resources[:RESOURCES_SHOWN])
        if len(a.resources) > RESOURCES_SHOWN:
            shown.append(f"... {len(a.resources) - RESOURCES_SHOWN} more")
        table.add_row(
            a.action,
            a.access_level,
            "\n".join(shown),
            ", ".join(a.sessions) or "-",
            f"{a.last_seen:%Y-%m-%d}",
            str(a.calls),
            {True: "yes", False: "NO", None: "?"}[a.granted],
        )
    return table


def _count(value: int | None) -> str:
    return "?" if value is None else str(value)
