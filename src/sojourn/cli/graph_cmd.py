"""`sojourn snapshot`, `who-can`, `paths` and `findings`: the organisation's access graph, offline."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sojourn.analysis.finding import RISK_ORDER, Risk
from sojourn.analysis.graph import AccessGraph
from sojourn.analysis.graph import Path as GraphPath
from sojourn.analysis.graph_build import GraphBuilder
from sojourn.analysis.queries import UnknownTarget, paths_to, who_can
from sojourn.analysis.snapshot import OrgSnapshot
from sojourn.analysis.snapshot_codec import SnapshotFormatError, snapshot_from_json, snapshot_to_json
from sojourn.analysis.snapshot_findings import describe, snapshot_findings
from sojourn.cli.html_report import html_report
from sojourn.cli.rows import finding_row
from sojourn.cli.sarif import findings_to_sarif

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)
SnapshotOption = Annotated[
    Path, typer.Option("--snapshot", "-s", help="snapshot file from `sojourn snapshot`")
]
ACCOUNT_ID = re.compile(r"\d{12}")
SEVERITY_ORDER = RISK_ORDER


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
    taken = _from_details_files(from_details) if from_details else _from_aws(read_role, endpoint_url)
    out.write_text(json.dumps(snapshot_to_json(taken), indent=1, sort_keys=True) + "\n")
    principals = sum(len(a.roles) + len(a.users) for a in taken.accounts)
    console.print(
        f"saved {out}: {len(taken.accounts)} accounts, {principals} roles and users", highlight=False
    )
    for note in taken.notes:
        errors.print(f"note: {note}", highlight=False)


def _from_aws(read_role: str, endpoint_url: str | None) -> OrgSnapshot:
    from sojourn.aws.settings import AwsSettings
    from sojourn.aws.snapshot_reader import take_snapshot
    from sojourn.settings import Settings

    settings = Settings.from_environment(endpoint_url=endpoint_url)
    aws = AwsSettings(region=settings.aws_region, endpoint_url=settings.aws_endpoint_url)

    def progress(name: str, done: int, total: int) -> None:
        errors.print(f"read {done}/{total} accounts ({name})", highlight=False)

    return take_snapshot(aws, read_role, datetime.now(UTC), progress)


def _from_details_files(paths: list[Path]) -> OrgSnapshot:
    from sojourn.aws.authorization_file import DetailsFileError, snapshot_from_details

    files = []
    for value in paths:
        given, _, named = str(value).partition("=")
        account, path = (given, Path(named)) if ACCOUNT_ID.fullmatch(given) and named else (None, value)
        try:
            files.append((str(path), json.loads(path.read_text(encoding="utf-8")), account))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            errors.print(f"error: {path} cannot be read as JSON: {error}")
            raise typer.Exit(1) from None
    try:
        return snapshot_from_details(files, datetime.now(UTC).isoformat(timespec="seconds"))
    except DetailsFileError as error:
        errors.print(f"error: {error}")
        raise typer.Exit(1) from None


def _load(path: Path) -> tuple[GraphBuilder, AccessGraph]:
    from sojourn.catalog import load_catalog

    try:
        data = json.loads(path.read_text())
        loaded = snapshot_from_json(data)
    except FileNotFoundError:
        errors.print(f"error: {path} not found; take one with `sojourn snapshot --out {path}`")
        raise typer.Exit(1) from None
    except (json.JSONDecodeError, SnapshotFormatError) as error:
        errors.print(f"error: {path} is not a Sojourn snapshot: {error}")
        raise typer.Exit(1) from None
    builder = GraphBuilder(loaded, load_catalog())
    graph = builder.build(
        lambda label, n, total: errors.print(f"graph {n}/{total}: {label}", highlight=False)
    )
    return builder, graph


def _path_json(graph: AccessGraph, path: GraphPath) -> dict[str, Any]:
    return {
        "principal": path.start,
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
        "text": describe(graph, path),
    }


def _print_paths(graph: AccessGraph, paths: list[GraphPath], as_json: bool, title: str) -> None:
    if as_json:
        print(json.dumps([_path_json(graph, p) for p in paths], indent=1))
        return
    table = Table(title=title)
    table.add_column("principal")
    table.add_column("hops", justify="right")
    table.add_column("chain")
    for path in paths:
        needs = f" [if {'; '.join(path.conditions)}]" if path.conditions else ""
        table.add_row(graph.display(path.start), str(len(path.hops)), describe(graph, path) + needs)
    console.print(table)


def who_can_command(
    action: Annotated[str, typer.Argument(help="an IAM action, e.g. sts:AssumeRole")],
    resource: Annotated[str, typer.Argument(help="a resource ARN")],
    snapshot_file: SnapshotOption = Path("sojourn-snapshot.json"),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Every principal that can do ACTION on RESOURCE, directly or through a chain of roles."""
    builder, graph = _load(snapshot_file)
    answers = who_can(builder, graph, action, resource)
    _print_paths(graph, answers, as_json, f"who can {action} on {resource}")


def paths_command(
    to: Annotated[str, typer.Option("--to", help='"admin", a role ARN or ACCOUNT/ROLE')],
    snapshot_file: SnapshotOption = Path("sojourn-snapshot.json"),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Escalation paths hop by hop, across accounts. Exit 0: none; 2: some path exists."""
    _, graph = _load(snapshot_file)
    try:
        found = paths_to(graph, to)
    except UnknownTarget as error:
        errors.print(f"error: {error}")
        raise typer.Exit(1) from None
    _print_paths(graph, found, as_json, f"paths to {to}")
    raise typer.Exit(2 if found else 0)


def findings_command(
    snapshot_file: SnapshotOption = Path("sojourn-snapshot.json"),
    output: Annotated[Format, typer.Option("--format", help="table, json, sarif or html")] = Format.TABLE,
    fail_on: Annotated[
        Risk | None, typer.Option(help="exit 2 when a finding is at least this severe")
    ] = None,
) -> None:
    """Every check over every policy of the snapshot, plus compute roles with admin and paths to admin."""
    builder, graph = _load(snapshot_file)
    found = snapshot_findings(builder, graph)
    if output is Format.JSON:
        rows = [finding_row(f) for f in found]
        print(json.dumps(rows, indent=1))
    elif output is Format.SARIF:
        print(json.dumps(findings_to_sarif(found), indent=1))
    elif output is Format.HTML:
        lines = [describe(graph, p) for p in graph.paths_to(graph.admin_nodes())]
        sys.stdout.write(html_report(f"Sojourn findings: {snapshot_file.name}", found, lines, graph.notes))
    else:
        for finding in found:
            console.print(str(finding), highlight=False, markup=False)
        console.print(f"{len(found)} finding(s)", highlight=False)
    if fail_on is not None:
        floor = SEVERITY_ORDER.index(fail_on)
        if any(SEVERITY_ORDER.index(f.check.severity) >= floor for f in found):
            raise typer.Exit(2)
