"""`sojourn snapshot`, `who-can`, `paths` and `findings`: the organisation's access graph, offline."""

from __future__ import annotations

import json
import re
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from sojourn.analysis.finding import Risk
from sojourn.analysis.queries import UnknownTarget
from sojourn.cli.consoles import screen
from sojourn.cli.rows import finding_row
from sojourn.cli.runtime import runtime
from sojourn.cli.sarif import findings_to_sarif
from sojourn.service.access_graph import AccessPath, SnapshotAnalysis
from sojourn.service.findings_report import html_report
from sojourn.service.snapshots import (
    DetailsFile,
    SnapshotUnavailable,
    load_snapshot,
    principal_count,
    read_live_snapshot,
    save_snapshot,
    snapshot_from_details_files,
)

console = screen()
errors = screen(stderr=True)
SnapshotOption = Annotated[
    Path, typer.Option("--snapshot", "-s", help="snapshot file from `sojourn snapshot`")
]
ACCOUNT_ID = re.compile(r"\d{12}")


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    HTML = "html"


def snapshot(
    out: Annotated[Path, typer.Option("--out", "-o", help="where to save the snapshot")] = Path(
        "sojourn-snapshot.json"
    ),
    read_role: Annotated[
        str, typer.Option(help="role assumed in each member account to read it")
    ] = "SojournReadOnly",
    endpoint_url: Annotated[str | None, typer.Option("--endpoint-url", help="AWS endpoint")] = None,
    from_details: Annotated[
        list[Path] | None,
        typer.Option(
            "--from-authorization-details",
            help="build the snapshot offline from saved `aws iam get-account-authorization-details` "
            "output, one file per account (repeat the option; ACCOUNT_ID=FILE names the account of a "
            "file that holds no ARN); nothing is read from AWS",
        ),
    ] = None,
) -> None:
    """Read every account's principals and policies, SCPs/RCPs and Identity Center roles into a file."""
    rt = runtime(endpoint_url=endpoint_url)
    try:
        if from_details:
            taken = snapshot_from_details_files(
                [_details_file(v) for v in from_details], rt.clock, rt.details_reader()
            )
        else:
            taken = read_live_snapshot(rt.policy_source(read_role), rt.clock, _AccountProgress())
    except SnapshotUnavailable as error:
        errors.print(f"error: {error}", markup=False)
        raise typer.Exit(1) from None
    save_snapshot(taken, out)
    console.print(
        f"saved {out}: {len(taken.accounts)} accounts, {principal_count(taken)} roles and users",
        highlight=False,
    )
    for note in taken.notes:
        errors.print(f"note: {note}", highlight=False)


def _details_file(value: Path) -> DetailsFile:
    """FILE, or ACCOUNT_ID=FILE for a file that names no account itself."""
    given, _, named = str(value).partition("=")
    if ACCOUNT_ID.fullmatch(given) and named:
        return DetailsFile(Path(named), given)
    return DetailsFile(value)


class _AccountProgress:
    """One line per account read, with the time left at the rate so far."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, name: str, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.started
        left = elapsed / done * (total - done) if done else 0.0
        eta = f", about {_duration(left)} left" if done < total else f", {_duration(elapsed)} in all"
        errors.print(f"read {done}/{total} accounts ({name}){eta}", highlight=False)


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def _load(path: Path) -> SnapshotAnalysis:
    rt = runtime()
    try:
        loaded = load_snapshot(path)
    except SnapshotUnavailable as error:
        errors.print(f"error: {error}", markup=False)
        raise typer.Exit(1) from None
    return SnapshotAnalysis(
        loaded,
        rt.catalog(),
        lambda label, n, total: errors.print(f"graph {n}/{total}: {label}", highlight=False),
    )


def _path_json(path: AccessPath) -> dict[str, Any]:
    return {
        "principal": path.principal,
        "hops": [
            {
                "from": h.source,
                "to": h.target,
                "kind": h.kind.value,
                "via": h.via,
                "conditions": list(h.conditions),
            }
            for h in path.hops
        ],
        "conditions": list(path.conditions),
        "text": path.text,
    }


def _print_paths(paths: list[AccessPath], as_json: bool, title: str) -> None:
    if as_json:
        print(json.dumps([_path_json(p) for p in paths], indent=1))
        return
    table = Table(title=title)
    table.add_column("principal")
    table.add_column("hops", justify="right")
    table.add_column("chain")
    for path in paths:
        needs = f" [if {'; '.join(path.conditions)}]" if path.conditions else ""
        table.add_row(path.display, str(len(path.hops)), path.text + needs)
    console.print(table)


def who_can_command(
    action: Annotated[str, typer.Argument(help="an IAM action, e.g. sts:AssumeRole")],
    resource: Annotated[str, typer.Argument(help="a resource ARN")],
    snapshot_file: SnapshotOption = Path("sojourn-snapshot.json"),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Every principal that can do ACTION on RESOURCE, directly or through a chain of roles."""
    answers = _load(snapshot_file).who_can(action, resource)
    _print_paths(answers, as_json, f"who can {action} on {resource}")


def paths_command(
    to: Annotated[str, typer.Option("--to", help='"admin", a role ARN or ACCOUNT/ROLE')],
    snapshot_file: SnapshotOption = Path("sojourn-snapshot.json"),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Escalation paths hop by hop, across accounts. Exit 0: none; 2: some path exists."""
    analysis = _load(snapshot_file)
    try:
        found = analysis.paths_to(to)
    except UnknownTarget as error:
        errors.print(f"error: {error}", markup=False)
        raise typer.Exit(1) from None
    _print_paths(found, as_json, f"paths to {to}")
    raise typer.Exit(2 if found else 0)


def findings_command(
    snapshot_file: SnapshotOption = Path("sojourn-snapshot.json"),
    output: Annotated[Format, typer.Option("--format", help="table, json, sarif or html")] = Format.TABLE,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="write the report to this file instead of the screen")
    ] = None,
    fail_on: Annotated[
        Risk | None, typer.Option(help="exit 2 when a finding is at least this severe")
    ] = None,
) -> None:
    """Every check over every policy of the snapshot, plus compute roles with admin and paths to admin."""
    report = _load(snapshot_file).findings()
    found = list(report.findings)
    if output is Format.JSON:
        text = json.dumps([finding_row(f) for f in found], indent=1) + "\n"
    elif output is Format.SARIF:
        text = json.dumps(findings_to_sarif(found), indent=1) + "\n"
    elif output is Format.HTML:
        title = f"Sojourn findings: {snapshot_file.name}"
        text = html_report(title, found, list(report.admin_paths), list(report.notes))
    else:
        text = "".join(f"{finding}\n" for finding in found) + f"{len(found)} finding(s)\n"
    if out is not None:
        out.write_text(text, encoding="utf-8")
        errors.print(f"wrote {len(found)} finding(s) to {out}", highlight=False)
    elif output is Format.TABLE:
        console.print(text, end="", highlight=False, markup=False)
    else:
        sys.stdout.write(text)
    if fail_on is not None and report.reaching(fail_on):
        raise typer.Exit(2)
