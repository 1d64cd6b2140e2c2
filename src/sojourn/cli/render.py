"""Rich rendering of plans, effective access and audit records for the terminal."""

from __future__ import annotations

import re
from collections.abc import Mapping

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sojourn.access.changes import PermissionSetChange
from sojourn.access.organization import Organization
from sojourn.access.plan import Plan
from sojourn.access.plan_codec import describe_change
from sojourn.cli.permission_set_diff import permission_set_diff
from sojourn.service.audit import AuditRecord
from sojourn.service.ports.provider import Provider

ACCOUNT_ON = re.compile(r" on (\d{12})\b")
SIGNS = {"create": "[green]+[/green]", "update": "[yellow]~[/yellow]", "delete": "[red]-[/red]"}


def show_plan(
    console: Console, plan: Plan, account_names: Mapping[str, str], api_calls: int, strategy: str
) -> None:
    kept = [item for item in plan.drift if not item.removed]
    if plan.is_empty and not kept:
        console.print("[green]No changes.[/green] AWS matches the configuration.")
    elif plan.is_empty:
        console.print(
            f"[green]No changes.[/green] AWS differs from the configuration in {_places(len(kept))}, "
            "kept because of drift: report (listed below)."
        )
    else:
        console.print(f"[bold]Plan:[/bold] {_summary(plan.summary)}")
        for change in plan.changes:
            text = with_account_names(describe_change(change), account_names)
            console.print(f"  {SIGNS[change.action.value]} {text}")
            if isinstance(change, PermissionSetChange) and change.before and change.after:
                for line in permission_set_diff(change.before, change.after):
                    colour = {"+": "green", "-": "red"}.get(line[0], "dim")
                    console.print(f"      [{colour}]{escape(line)}[/{colour}]", highlight=False)
    if plan.person_delta:
        console.print("\n[bold]Effective access, per person:[/bold]")
        for person, deltas in sorted(plan.person_delta.items()):
            console.print(f"  {person}: " + ", ".join(str(d) for d in deltas))
    for item in plan.drift:
        verb = "will be removed" if item.removed else "kept (drift: report)"
        console.print(f"[magenta]drift:[/magenta] {item.description}; {verb}")
    for note in plan.notes:
        console.print(f"[dim]note: {note}[/dim]")
    console.print(f"[dim]read AWS with {api_calls} API calls ({strategy} strategy)[/dim]")


def with_account_names(text: str, names: Mapping[str, str]) -> str:
    """Each "on ACCOUNT_ID" of a change's text as "on NAME (ACCOUNT_ID)"."""
    return ACCOUNT_ON.sub(lambda m: f" on {names[m[1]]} ({m[1]})" if m[1] in names else m[0], text)


def account_names(provider: Provider) -> dict[str, str]:
    """Account id -> name, as the organisation has them now."""
    return {a.id: a.name for a in provider.read_organization(with_tags=False).accounts}


def _places(count: int) -> str:
    return "1 place" if count == 1 else f"{count} places"


def _summary(summary: Mapping[str, int]) -> str:
    return ", ".join(f"{count} {key.replace('.', ' ')}" for key, count in sorted(summary.items()))


def show_matrix(
    console: Console,
    effective: Mapping[str, Mapping[str, Mapping[str, tuple[str, ...]]]],
    organization: Organization,
) -> None:
    """Person x account -> permission sets."""
    accounts = [a for a in organization.accounts if any(a.id in acc for acc in effective.values())]
    table = Table(title="Effective access (person x account)", show_lines=False)
    table.add_column("person", style="bold")
    for account in accounts:
        table.add_column(account.name, min_width=len(account.name), overflow="fold")
    for person in sorted(effective):
        row = [", ".join(sorted(effective[person].get(a.id, {}))) or "·" for a in accounts]
        table.add_row(person, *row)
    console.print(table)


def show_audit(console: Console, records: list[AuditRecord], names: Mapping[str, str] | None = None) -> None:
    """The records as a table; accounts (their own column and in the target's text) named beside their ids."""
    names = names or {}
    table = Table(title=f"Audit records ({len(records)})")
    for column in ("seq", "at", "actor", "action", "account", "target", "reason"):
        table.add_column(column)
    for record in records:
        e = record.event
        account = e.account_id or ""
        if account in names:
            account = f"{names[account]} ({account})"
        table.add_row(
            str(record.seq),
            e.at.isoformat(timespec="seconds"),
            e.actor,
            e.action,
            account,
            escape(with_account_names(e.target, names)),
            escape(e.reason),
        )
    console.print(table)
