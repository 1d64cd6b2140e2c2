"""`sojourn right-size`: a least-privilege policy from the activity, proposed as a configuration change."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from sojourn.access.issues import ConfigInvalid
from sojourn.cli.consoles import screen
from sojourn.cli.runtime import runtime
from sojourn.service.config_plans import ConfigUnreadable
from sojourn.service.right_sizing import (
    Proposal,
    RightSizeRefused,
    right_size_permission_set,
    right_size_principal,
    write_proposal,
)
from sojourn.service.snapshots import SnapshotUnavailable, load_snapshot
from sojourn.service.usage_report import PermissionSetUnknown
from sojourn.usage.level_diff import summary

console = screen()
errors = screen(stderr=True)


def right_size(
    permission_set: Annotated[
        str | None, typer.Option("--permission-set", help="permission set name from the configuration")
    ] = None,
    principal: Annotated[str | None, typer.Option(help="IAM role or user ARN (printed, not written)")] = None,
    days: Annotated[int, typer.Option(min=1, max=999, help="activity of the last N days")] = 90,
    write: Annotated[
        bool, typer.Option("--write", help="write the change into the configuration files")
    ] = False,
    config: Annotated[Path, typer.Option("--config", "-c", help="configuration directory or file")] = Path(
        "access"
    ),
    snapshot: Annotated[
        Path | None,
        typer.Option("--snapshot", "-s", help="snapshot (`sojourn snapshot`) for managed policies"),
    ] = None,
    approver: Annotated[
        list[str] | None, typer.Option("--approver", help="team approving requests when the set moves to JIT")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the proposal as JSON")] = False,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy URL of Sojourn's database")
    ] = None,
) -> None:
    """Propose a tighter policy from what was used, as a patch of the configuration (or --write it)."""
    if (principal is None) == (permission_set is None):
        errors.print("error: give exactly one of --principal ARN or --permission-set NAME", markup=False)
        raise typer.Exit(1)
    with runtime(database_url=database_url) as rt:
        since = rt.clock.now() - timedelta(days=days)
        try:
            taken = load_snapshot(snapshot) if snapshot is not None else None
            if permission_set is not None:
                proposal = right_size_permission_set(
                    rt.usage(),
                    rt.catalog(),
                    config,
                    permission_set,
                    since=since,
                    snapshot=taken,
                    approvers=tuple(approver or ()),
                )
            else:
                assert principal is not None
                proposal = right_size_principal(
                    rt.usage(), rt.catalog(), principal, since=since, snapshot=taken
                )
            written = write_proposal(proposal) if write else []
        except (
            ConfigUnreadable,
            ConfigInvalid,
            PermissionSetUnknown,
            RightSizeRefused,
            SnapshotUnavailable,
            OSError,
        ) as error:
            errors.print(f"error: {error}", markup=False)
            raise typer.Exit(1) from error
    if as_json:
        console.print_json(json.dumps(proposal_document(proposal, days, written)))
        return
    _show(proposal, days)
    if written:
        errors.print(f"wrote {', '.join(map(str, written))}; review with `sojourn plan`", markup=False)
    elif proposal.patch:
        console.out(proposal.patch, end="", highlight=False)
    elif principal is not None:
        console.out(json.dumps(proposal.generated.document, indent=2), highlight=False)


def proposal_document(proposal: Proposal, days: int, written: list[Path]) -> dict[str, object]:
    generated = proposal.generated
    return {
        "subject": generated.subject,
        "days": days,
        "policy": generated.document,
        "size": generated.size,
        "limit": generated.target.limit,
        "grouped": generated.grouped,
        "statements": [
            {
                "sid": s.sid,
                "actions": list(s.actions),
                "resources": list(s.resources),
                "resource_reason": s.resource_reason,
                "evidence": [
                    {
                        "action": e.action,
                        "resources": list(e.resources),
                        "calls": e.calls,
                        "first_seen": e.first_seen.isoformat(),
                        "last_seen": e.last_seen.isoformat(),
                        "who": list(e.who),
                    }
                    for e in s.evidence
                ],
            }
            for s in generated.statements
        ],
        "left_out": [
            {"action": o.action, "resource": o.resource, "reason": o.reason, "calls": o.calls}
            for o in generated.left_out
        ],
        "access_levels": [
            {"level": c.level, "before": c.before, "after": c.after, "removed": c.removed, "kept": c.kept}
            for c in generated.levels
        ],
        "summary": summary(generated.levels),
        "problems": list(generated.problems),
        "note": proposal.note,
        "patch": proposal.patch,
        "written": [str(p) for p in written],
    }


def _show(proposal: Proposal, days: int) -> None:
    generated = proposal.generated
    errors.print(f"[bold]{generated.subject}[/bold]: activity of the last {days} days")
    table = Table(title="Generated statements (evidence per action)")
    for column in ("statement", "action", "resources", "calls", "last used", "who"):
        table.add_column(column, overflow="fold")
    for statement in generated.statements:
        for e in statement.evidence:
            resources = "\n".join(e.resources)
            if e.resource_reason:
                resources += f"\n({e.resource_reason})"
            cells = (
                statement.sid,
                e.action,
                resources,
                str(e.calls),
                f"{e.last_seen:%Y-%m-%d}",
                ", ".join(e.who),
            )
            table.add_row(*(Text(cell) for cell in cells))
    errors.print(table)
    for left in generated.left_out:
        errors.print(
            f"left out: {left.action} on {left.resource}: {left.reason} (calls: {left.calls})", markup=False
        )
    errors.print(f"against today: {summary(generated.levels)}", markup=False)
    size = f"{generated.size:,} of {generated.target.limit:,} characters"
    errors.print(
        f"size: {size}" + (" (closed wildcards used to fit)" if generated.grouped else ""), markup=False
    )
    for problem in generated.problems:
        errors.print(f"problem: {problem}", markup=False)
    if proposal.note:
        errors.print(proposal.note, markup=False)
