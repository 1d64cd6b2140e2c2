"""`sojourn policy`: validate, simulate and expand IAM policies."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sojourn.cli.policy_files import parse_file
from sojourn.cli.rows import issue_row
from sojourn.cli.sarif import to_sarif
from sojourn.policy import (
    EvaluationRequest,
    Outcome,
    Policy,
    PolicyIssue,
    PolicyKind,
    PolicySet,
    PrincipalType,
    Severity,
    evaluate,
)
from sojourn.policy.validate import validate_policy

policy_app = typer.Typer(help="Parse, validate, simulate and expand IAM policies.", no_args_is_help=True)
console = Console(soft_wrap=True)


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"


def _load(path: Path, kind: PolicyKind) -> tuple[Policy | None, tuple[PolicyIssue, ...]]:
    result = parse_file(path, kind)
    return result.policy, result.issues


@policy_app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="policy JSON files")],
    kind: Annotated[PolicyKind, typer.Option(help="what kind of policy these are")] = PolicyKind.IDENTITY,
    output: Annotated[Format, typer.Option("--format", help="table, json or sarif")] = Format.TABLE,
) -> None:
    """Exit 0 when no file has an error, 1 otherwise (warnings do not fail)."""
    from sojourn.catalog import load_catalog

    catalog = load_catalog()
    issues: list[PolicyIssue] = []
    for path in files:
        policy, parse_issues = _load(path, kind)
        issues += parse_issues
        if policy is not None:
            issues += validate_policy(policy, catalog)
    errors = sum(i.severity is Severity.ERROR for i in issues)
    if output is Format.JSON:
        rows = [issue_row(i) for i in issues]
        print(json.dumps(rows, indent=1))
    elif output is Format.SARIF:
        print(json.dumps(to_sarif(issues, catalog.version), indent=1))
    else:
        for issue in issues:
            colour = "red" if issue.severity is Severity.ERROR else "yellow"
            console.print(
                f"[{colour}]{issue.severity.value}[/{colour}] {issue}", markup=True, highlight=False
            )
        console.print(f"{len(files)} file(s), {errors} error(s), {len(issues) - errors} warning(s)")
    raise typer.Exit(1 if errors else 0)


def _policies(paths: list[Path], kind: PolicyKind) -> tuple[Policy, ...]:
    loaded = []
    for path in paths:
        policy, issues = _load(path, kind)
        if policy is None:
            for issue in issues:
                console.print(f"error {issue}", markup=False)
            raise typer.Exit(2)
        loaded.append(policy)
    return tuple(loaded)


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
    anonymous = principal.lower() == "anonymous"
    request = EvaluationRequest(
        action=action,
        resource=resource,
        principal="" if anonymous else principal,
        resource_account=resource_account,
        context={k: v[0] if len(v) == 1 else tuple(v) for k, v in values.items()},
        principal_type=PrincipalType.ANONYMOUS if anonymous else PrincipalType.AWS,
    )
    resource_kind = PolicyKind.TRUST if action.lower().startswith("sts:assumerole") else PolicyKind.RESOURCE
    policies = PolicySet(
        identity=_policies(policy or [], PolicyKind.IDENTITY),
        resource=_policies(resource_policy or [], resource_kind),
        scps=tuple((p,) for p in _policies(scp or [], PolicyKind.SCP)),
        rcps=tuple((p,) for p in _policies(rcp or [], PolicyKind.RCP)),
        boundary=_policies(boundary, PolicyKind.BOUNDARY) if boundary else None,
        session=_policies(session_policy, PolicyKind.SESSION) if session_policy else None,
        endpoint=_policies(endpoint_policy, PolicyKind.ENDPOINT) if endpoint_policy else None,
    )
    decision = evaluate(request, policies)
    console.print(f"{decision.outcome.value}: {decision.reason}", markup=False)
    if decision.blocked_by:
        console.print(f"blocked by: {decision.blocked_by}", markup=False)
    raise typer.Exit(0 if decision.outcome is Outcome.ALLOWED else 1)


@policy_app.command()
def expand(
    file: Annotated[Path, typer.Argument(help="policy JSON file")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The actions a policy's Allow statements grant, with access levels (unconditional Denies subtracted)."""
    from sojourn.analysis.profile import allowed_bits
    from sojourn.catalog import load_catalog

    catalog = load_catalog()
    loaded, issues = _load(file, PolicyKind.IDENTITY)
    if loaded is None:
        for issue in issues:
            console.print(f"error {issue}", markup=False)
        raise typer.Exit(2)
    actions = list(catalog.names(allowed_bits(loaded, catalog)))
    profile = catalog.access_level_profile(actions)
    if as_json:
        print(
            json.dumps(
                {
                    "actions": [{"action": a, "access_level": catalog.access_level(a)} for a in actions],
                    "profile": profile,
                },
                indent=1,
            )
        )
        return
    table = Table(title=f"{file}: {len(actions)} actions")
    table.add_column("action")
    table.add_column("access level")
    for name in actions:
        table.add_row(name, catalog.access_level(name) or "?")
    console.print(table)
    console.print(", ".join(f"{level}: {count}" for level, count in profile.items()))
