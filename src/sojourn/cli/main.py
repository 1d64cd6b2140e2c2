"""The `sojourn` command: parse options, call one use case, render the result."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sojourn import __version__
from sojourn.access.config import DriftMode
from sojourn.access.issues import ConfigInvalid
from sojourn.access.plan_codec import plan_to_document
from sojourn.analysis.finding import Risk
from sojourn.bootstrap import Runtime
from sojourn.cli import activity_cmd, graph_cmd, jit_cmd, policy_analyse_cmd, serve_cmd, usage_cmd
from sojourn.cli.audit_cmd import audit_app
from sojourn.cli.policy_cmd import policy_app
from sojourn.cli.render import show_plan
from sojourn.cli.runtime import runtime
from sojourn.service.applying import PlanStale, ReasonRequired, RiskRefused, apply_plan
from sojourn.service.config_plans import ConfigUnreadable, import_config, plan_config, saved_plan
from sojourn.service.planning import PlanOutcome
from sojourn.service.saved_plan import read_saved_plan, write_saved_plan

app = typer.Typer(
    help="Least-privilege access control plane for multi-account AWS.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(audit_app, name="audit")
app.add_typer(activity_cmd.activity_app, name="activity")
app.command("usage")(usage_cmd.usage)
policy_app.command("analyse")(policy_analyse_cmd.analyse)
app.add_typer(policy_app, name="policy")
app.command("snapshot")(graph_cmd.snapshot)
app.command("who-can")(graph_cmd.who_can_command)
app.command("paths")(graph_cmd.paths_command)
app.command("findings")(graph_cmd.findings_command)
app.command("serve")(serve_cmd.serve)
app.add_typer(serve_cmd.token_app, name="token")
for _name in ("request", "approve", "deny", "cancel", "revoke", "extend", "requests", "eligible", "worker"):
    app.command(_name)(getattr(jit_cmd, _name))
console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)

ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="YAML file or directory of YAML files")]
EndpointOption = Annotated[
    str | None, typer.Option("--endpoint-url", help="AWS endpoint (e.g. a moto server)")
]
DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL of Sojourn's database")
]


@app.command()
def version() -> None:
    """Print Sojourn's version and the IAM action catalogue's data version."""
    from sojourn.catalog import catalog_version

    console.print(f"sojourn {__version__}; action catalogue {catalog_version()}")


@app.command()
def plan(
    config: ConfigOption = Path("access"),
    out: Annotated[Path | None, typer.Option(help="save the plan for `sojourn apply`")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the plan as JSON")] = False,
    drift: Annotated[DriftMode | None, typer.Option(help="override settings.drift")] = None,
    today: Annotated[str | None, typer.Option(help="plan as of this day (YYYY-MM-DD)")] = None,
    endpoint_url: EndpointOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Show what would change. Exit 0: no changes; 2: changes; 1: error."""
    rt = runtime(endpoint_url, database_url)
    try:
        outcome = _plan(rt, config, drift, today)
    finally:
        rt.close()
    names = {a.id: a.name for a in outcome.organization.accounts}
    findings = [
        {"check": f.check.id, "severity": f.check.severity.value, "where": f.source, "detail": f.detail}
        for f in outcome.findings
    ]
    if as_json:
        document = plan_to_document(outcome.plan) | {
            "api_calls": sum(outcome.read.api_calls.values()),
            "findings": findings,
        }
        sys.stdout.write(json.dumps(document, indent=1, sort_keys=True) + "\n")
    else:
        show_plan(console, outcome.plan, names, sum(outcome.read.api_calls.values()), outcome.read.strategy)
        for finding in outcome.findings:
            console.print(
                f"risk [{finding.check.severity}] {finding.check.id} in {finding.source}: "
                f"{finding.detail}; {finding.check.remediation}",
                markup=False,
            )
    if out is not None:
        write_saved_plan(saved_plan(outcome, rt.clock.now(), config), out)
        if not as_json:
            console.print(f"Saved to {out}; apply it with: sojourn apply {out} --reason '...'")
    raise typer.Exit(0 if outcome.plan.is_empty else 2)


def _plan(rt: Runtime, config: Path, drift: DriftMode | None, today: str | None) -> PlanOutcome:
    try:
        return plan_config(
            config,
            lambda region, instance_arn: rt.gateway(region=region, instance_arn=instance_arn),
            rt.store,
            today=date.fromisoformat(today) if today else rt.clock.now().date(),
            drift=drift,
            catalog=rt.catalog(),
        )
    except ConfigUnreadable as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from error
    except ConfigInvalid as invalid:
        for issue in invalid.issues:
            errors.print(f"[red]error:[/red] {issue}")
        errors.print(
            f"{len(invalid.issues)} problem(s) in the configuration; nothing was planned or applied."
        )
        raise typer.Exit(1) from invalid


@app.command()
def apply(
    plan_file: Annotated[Path | None, typer.Argument(help="a plan saved by `sojourn plan --out`")] = None,
    reason: Annotated[str, typer.Option(help="why; recorded on every audit record")] = "",
    config: ConfigOption = Path("access"),
    drift: Annotated[DriftMode | None, typer.Option(help="override settings.drift")] = None,
    refuse_findings: Annotated[
        Risk | None, typer.Option(help="refuse when the change adds a finding of this severity or worse")
    ] = None,
    endpoint_url: EndpointOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Apply a saved plan (or plan and apply the configuration), only if AWS still matches its base."""
    if not reason.strip():
        errors.print("[red]error:[/red] say why with --reason; it is recorded on the audit log")
        raise typer.Exit(1)
    rt = runtime(endpoint_url, database_url)
    try:
        if plan_file is not None:
            try:
                saved = read_saved_plan(plan_file)
            except ValueError as error:
                errors.print(f"[red]error:[/red] {error}")
                raise typer.Exit(1) from error
            drift_mode = drift or DriftMode.REMOVE
        else:
            outcome = _plan(rt, config, drift, None)
            saved = saved_plan(outcome, rt.clock.now(), config)
            drift_mode = drift or outcome.config.settings.drift
            show_plan(
                console,
                outcome.plan,
                {a.id: a.name for a in outcome.organization.accounts},
                sum(outcome.read.api_calls.values()),
                outcome.read.strategy,
            )
        if saved.plan.is_empty:
            console.print("Nothing to apply.")
            return
        gateway = rt.gateway()
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as bar:
            task = bar.add_task("applying", total=len(saved.plan.changes))

            def progress(done: int, total: int, text: str) -> None:
                bar.update(task, completed=done, description=text[:60])

            try:
                result = apply_plan(
                    saved,
                    gateway,
                    rt.store(),
                    instance=gateway.instance.instance_arn,
                    actor=rt.settings.actor,
                    reason=reason,
                    clock=rt.clock,
                    drift=drift_mode,
                    progress=progress,
                    refuse_at=refuse_findings,
                    catalog=rt.catalog() if refuse_findings is not None else None,
                )
            except (PlanStale, ReasonRequired, RiskRefused) as refused:
                errors.print(f"refused: {refused}", markup=False)
                raise typer.Exit(1) from refused
        if result.ok:
            console.print(f"[green]Applied {result.done} changes[/green] (run {result.run_id}).")
            return
        for failure in result.failed:
            errors.print(f"[red]failed:[/red] {failure.change}: {failure.detail}")
        errors.print(
            f"{result.done} done, {len(result.failed)} failed, {result.not_attempted} not attempted; "
            f"the record is run {result.run_id} (`sojourn audit show`). Plan and apply again to converge."
        )
        raise typer.Exit(1)
    finally:
        rt.close()


@app.command()
def drift(
    config: ConfigOption = Path("access"),
    endpoint_url: EndpointOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Report what was changed in AWS outside Sojourn. Exit 2 when there is drift."""
    rt = runtime(endpoint_url, database_url)
    try:
        outcome = _plan(rt, config, DriftMode.REPORT, None)
    finally:
        rt.close()
    if not outcome.plan.drift:
        console.print("[green]No drift.[/green]")
        raise typer.Exit(0)
    for item in outcome.plan.drift:
        console.print(f"[magenta]drift:[/magenta] {item.description}")
    raise typer.Exit(2)


@app.command("import")
def import_(
    out: Annotated[
        Path, typer.Option(help="directory to write the configuration into (must not hold it yet)")
    ],
    region: Annotated[str | None, typer.Option()] = None,
    endpoint_url: EndpointOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Write configuration from an existing Identity Center setup; its plan is empty."""
    rt = runtime(endpoint_url, database_url)
    try:
        imported = import_config(rt.gateway(region=region), out, region=region or rt.settings.aws_region)
    except FileExistsError as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from error
    finally:
        rt.close()
    console.print(
        f"Imported {imported.permission_sets} permission sets, {imported.users} users, "
        f"{imported.assignments} assignments into {', '.join(str(p) for p in imported.files)}"
    )


@app.command()
def demo(
    state_dir: Annotated[Path, typer.Option(help="where the demo keeps its database")] = Path(
        ".sojourn/demo"
    ),
) -> None:
    """The embedded default: moto with S1's organisation, planned and applied, then a grant just in time."""
    from sojourn.cli.render import show_matrix, show_plan
    from sojourn.demo.run import run_demo

    raise typer.Exit(run_demo(console, state_dir, show_plan, show_matrix))


def main() -> None:  # pragma: no cover - console entry point
    app()
