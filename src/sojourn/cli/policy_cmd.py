"""`sojourn policy`: validate, simulate and expand IAM policies."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sojourn.cli.consoles import screen
from sojourn.cli.rows import issue_row
from sojourn.cli.runtime import runtime
from sojourn.cli.sarif import to_sarif
from sojourn.policy import Outcome, PolicyKind, Severity
from sojourn.service.policy_checks import (
    ContextInvalid,
    PolicyUnreadable,
    Simulation,
    expand_file,
    simulate_explained,
    validate_files,
)

policy_app = typer.Typer(help="Parse, validate, simulate and expand IAM policies.", no_args_is_help=True)
console = screen()


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"


@policy_app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="policy JSON files")],
    kind: Annotated[PolicyKind, typer.Option(help="what kind of policy these are")] = PolicyKind.IDENTITY,
    output: Annotated[Format, typer.Option("--format", help="table, json or sarif")] = Format.TABLE,
) -> None:
    """Exit 0 when no file has an error, 1 otherwise (warnings do not fail)."""
    report = validate_files(files, kind, runtime().catalog())
    if output is Format.JSON:
        rows = [issue_row(i) for i in report.issues]
        print(json.dumps(rows, indent=1))
    elif output is Format.SARIF:
        print(json.dumps(to_sarif(list(report.issues), report.data_version), indent=1))
    else:
        for issue in report.issues:
            colour = "red" if issue.severity is Severity.ERROR else "yellow"
            console.print(
                f"[{colour}]{issue.severity.value}[/{colour}] {issue}", markup=True, highlight=False
            )
        console.print(f"{report.files} file(s), {report.errors} error(s), {report.warnings} warning(s)")
    raise typer.Exit(1 if report.errors else 0)


def _unreadable(error: PolicyUnreadable) -> typer.Exit:
    for issue in error.issues:
        console.print(f"error {issue}", markup=False)
    return typer.Exit(2)


@policy_app.command()
def simulate(
    action: Annotated[str, typer.Option(help="e.g. s3:GetObject")],
    resource: Annotated[str, typer.Option(help="resource ARN, or *")],
    principal: Annotated[str, typer.Option(help="principal ARN, or 'anonymous'")],
    policy: Annotated[
        list[Path] | None, typer.Option("--policy", help="identity policy file (repeatable)")
    ] = None,
    resource_account: Annotated[str | None, typer.Option(help="account that owns the resource")] = None,
    context: Annotated[
        list[str] | None, typer.Option(help="key=value (repeat a key for several values)")
    ] = None,
    scp: Annotated[list[Path] | None, typer.Option(help="SCP file, one per OU level, root first")] = None,
    rcp: Annotated[list[Path] | None, typer.Option(help="RCP file, one per level")] = None,
    boundary: Annotated[list[Path] | None, typer.Option(help="permissions boundary file")] = None,
    session_policy: Annotated[list[Path] | None, typer.Option(help="session policy file")] = None,
    resource_policy: Annotated[list[Path] | None, typer.Option(help="resource-based policy file")] = None,
    endpoint_policy: Annotated[list[Path] | None, typer.Option(help="VPC endpoint policy file")] = None,
) -> None:
    """Print the decision and why. Exit 0 when allowed, 1 when denied."""
    values: dict[str, list[str]] = {}
    for item in context or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"--context {item!r} must be key=value")
        values.setdefault(key, []).append(value)
    simulation = Simulation(
        action,
        resource,
        principal,
        resource_account,
        values,
        identity=policy or [],
        resource_policies=resource_policy or [],
        scps=scp or [],
        rcps=rcp or [],
        boundary=boundary,
        session=session_policy,
        endpoint=endpoint_policy,
    )
    try:
        simulated = simulate_explained(simulation)
    except PolicyUnreadable as error:
        raise _unreadable(error) from None
    except ContextInvalid as invalid:
        for problem in invalid.problems:
            console.print(f"error: --context {problem}", markup=False)
        console.print("nothing was simulated; give each key a value of its type", markup=False)
        raise typer.Exit(2) from None
    decision = simulated.decision
    console.print(f"{decision.outcome.value}: {decision.reason}", markup=False)
    if decision.blocked_by:
        console.print(f"blocked by: {decision.blocked_by}", markup=False)
    for unmet in simulated.unmet:
        console.print(f"condition not met: {unmet}", markup=False)
    raise typer.Exit(0 if decision.outcome is Outcome.ALLOWED else 1)


@policy_app.command()
def expand(
    file: Annotated[Path, typer.Argument(help="policy JSON file")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The actions a policy's Allow statements grant, with access levels (unconditional Denies subtracted)."""
    try:
        expansion = expand_file(file, runtime().catalog())
    except PolicyUnreadable as error:
        raise _unreadable(error) from None
    if as_json:
        actions = [{"action": name, "access_level": level} for name, level in expansion.actions]
        print(json.dumps({"actions": actions, "profile": expansion.profile}, indent=1))
        return
    table = Table(title=f"{file}: {len(expansion.actions)} actions")
    table.add_column("action")
    table.add_column("access level")
    for name, level in expansion.actions:
        table.add_row(name, level or "?")
    console.print(table)
    console.print(", ".join(f"{level}: {count}" for level, count in expansion.profile.items()))
