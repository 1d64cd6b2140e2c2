"""The `sojourn` command: parse options, call one use case, render the result."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from sojourn import __version__
from sojourn.access.config import DriftMode
from sojourn.access.issues import ConfigInvalid
from sojourn.access.plan_codec import describe_change, plan_to_document
from sojourn.analysis.finding import Risk
from sojourn.bootstrap import Runtime
from sojourn.cli import (
    activity_cmd,
    graph_cmd,
    jit_cmd,
    policy_analyse_cmd,
    right_size_cmd,
    serve_cmd,
    token_cmd,
    usage_cmd,
)
from sojourn.cli.audit_cmd import audit_app
from sojourn.cli.consoles import screen
from sojourn.cli.failure_group import FailureTranslatingGroup
from sojourn.cli.hygiene_cmd import hygiene
from sojourn.cli.keys_cmd import keys_app
from sojourn.cli.policy_cmd import policy_app
from sojourn.cli.render import account_names, show_plan, with_account_names
from sojourn.cli.review_cmd import review_app
from sojourn.cli.runtime import runtime
from sojourn.service.actor import acting_as
from sojourn.service.applying import (
    ApplyInterrupted,
    PlanStale,
    ReasonRequired,
    RiskRefused,
    apply_plan,
)
from sojourn.service.audit import DatabaseReplaced
from sojourn.service.config_plans import ConfigUnreadable, import_config, plan_config, saved_plan
from sojourn.service.planning import PlanOutcome
from sojourn.service.ports.audit import CheckpointInvalid
from sojourn.service.saved_plan import read_saved_plan, write_saved_plan

app = typer.Typer(
    cls=FailureTranslatingGroup,
    help="Least-privilege access control plane for multi-account AWS.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(audit_app, name="audit")
app.add_typer(activity_cmd.activity_app, name="activity")
app.command("usage")(usage_cmd.usage)
app.command("right-size")(right_size_cmd.right_size)
policy_app.command("analyse")(policy_analyse_cmd.analyse)
app.add_typer(policy_app, name="policy")
app.command("snapshot")(graph_cmd.snapshot)
app.command("who-can")(graph_cmd.who_can_command)
app.command("paths")(graph_cmd.paths_command)
app.command("findings")(graph_cmd.findings_command)
app.command("serve")(serve_cmd.serve)
app.command("hygiene")(hygiene)
app.add_typer(keys_app, name="keys")
app.add_typer(token_cmd.token_app, name="token")
app.add_typer(review_app, name="review")
for _name in ("request", "approve", "deny", "cancel", "revoke", "extend", "requests", "eligible", "worker"):
    app.command(_name)(getattr(jit_cmd, _name))
console = screen()
errors = screen(stderr=True)

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


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        message = f"{text!r} is not a real day; write it as YYYY-MM-DD"
        raise typer.BadParameter(message, param_hint="--today") from None


def _plan(rt: Runtime, config: Path, drift: DriftMode | None, today: str | None) -> PlanOutcome:
    try:
        return plan_config(
            config,
            lambda region, instance_arn: rt.gateway(region=region, instance_arn=instance_arn),
            rt.store,
            today=_day(today) if today else rt.clock.now().date(),
            drift=drift,
            catalog=rt.catalog(),
        )
    except ConfigUnreadable as error:
        errors.print(f"[red]error:[/red] {escape(str(error))}")
        raise typer.Exit(1) from error
    except ConfigInvalid as invalid:
        for issue in invalid.issues:
            errors.print(f"[red]error:[/red] {escape(str(issue))}")
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
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="apply the configuration's plan without asking (automation)")
    ] = False,
    endpoint_url: EndpointOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Apply a saved plan (or plan and apply the configuration), only if AWS still matches its base.

    Planning and applying the configuration in one go asks for confirmation first (--yes does not ask)."""
    if not reason.strip():
        errors.print("[red]error:[/red] say why with --reason; it is recorded on the audit log")
        raise typer.Exit(1)
    if plan_file is None and not yes and not sys.stdin.isatty():
        errors.print(
            "[red]error:[/red] apply --config asks for confirmation, and there is no terminal to ask on\n"
            "  hint: pass --yes to apply without asking, or review a saved plan: "
            "sojourn plan --out plan.json, then sojourn apply plan.json"
        )
        raise typer.Exit(1)
    rt = runtime(endpoint_url, database_url)
    actor = acting_as(rt.settings.actor, rt.provider)
    if not actor:
        errors.print(
            "[red]error:[/red] nobody to record as the actor of this apply (no SOJOURN_ACTOR, no OS user, "
            "and AWS did not say who the credentials are)\n"
            "  hint: set SOJOURN_ACTOR to your name; it is written on every audit record"
        )
        raise typer.Exit(1)
    try:
        if plan_file is not None:
            try:
                saved = read_saved_plan(plan_file)
            except ValueError as error:
                errors.print(f"[red]error:[/red] {escape(str(error))}")
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
        if plan_file is None and not yes and not typer.confirm("Apply these changes?", default=False):
            errors.print("Nothing applied.")
            raise typer.Exit(1)
        gateway = rt.gateway()
        names = account_names(gateway)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        ) as bar:
            task = bar.add_task("applying", total=len(saved.plan.changes))

            def progress(done: int, total: int, text: str) -> None:
                bar.update(task, completed=done, description=with_account_names(text, names))

            try:
                result = apply_plan(
                    saved,
                    gateway,
                    rt.store(),
                    instance=gateway.instance.instance_arn,
                    actor=actor,
                    reason=reason,
                    clock=rt.clock,
                    drift=drift_mode,
                    progress=progress,
                    refuse_at=refuse_findings,
                    catalog=rt.catalog() if refuse_findings is not None else None,
                    checkpoints=rt.audit_checkpoints(),
                    checkpoint_every=rt.settings.audit_checkpoint_every,
                )
            except (PlanStale, ReasonRequired, RiskRefused, DatabaseReplaced, CheckpointInvalid) as refused:
                errors.print(f"refused: {refused}", markup=False)
                raise typer.Exit(1) from refused
            except ApplyInterrupted as stopped:
                errors.print(f"error: {stopped}", markup=False)
                raise typer.Exit(1) from stopped
        for closed in result.reconciled:
            console.print(
                f"Closed interrupted run {closed.run_id}: of its in-flight changes {closed.applied} were "
                f"made in AWS and {closed.not_applied} not (recorded on the audit log).",
                highlight=False,
            )
        if result.checkpoint_problem:
            errors.print(
                f"warning: no signed audit checkpoint written: {result.checkpoint_problem}", markup=False
            )
        if result.ok:
            console.print(f"[green]Applied {result.done} changes[/green] (run {result.run_id}).")
            return
        for failure in result.failed:
            text = with_account_names(describe_change(failure.change), names)
            errors.print(f"[red]failed:[/red] {escape(text)}: {escape(failure.detail)}")
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
    as_json: Annotated[bool, typer.Option("--json", help="print the drift as JSON")] = False,
    endpoint_url: EndpointOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Report what was changed in AWS outside Sojourn. Exit 2 when there is drift."""
    rt = runtime(endpoint_url, database_url)
    try:
        outcome = _plan(rt, config, DriftMode.REPORT, None)
    finally:
        rt.close()
    if as_json:
        rows = [{"description": item.description} for item in outcome.plan.drift]
        sys.stdout.write(json.dumps({"drift": rows}, indent=1) + "\n")
        raise typer.Exit(2 if rows else 0)
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
    as_json: Annotated[bool, typer.Option("--json", help="print what was written as JSON")] = False,
    endpoint_url: EndpointOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Write configuration from an existing Identity Center setup; its plan is empty."""
    rt = runtime(endpoint_url, database_url)
    try:
        imported = import_config(rt.gateway(region=region), out)
    except FileExistsError as error:
        errors.print(f"[red]error:[/red] {escape(str(error))}")
        raise typer.Exit(1) from error
    finally:
        rt.close()
    if as_json:
        document = {
            "files": [str(p) for p in imported.files],
            "permission_sets": imported.permission_sets,
            "users": imported.users,
            "assignments": imported.assignments,
        }
        sys.stdout.write(json.dumps(document, indent=1) + "\n")
        return
    console.print(
        f"Imported {imported.permission_sets} permission sets, {imported.users} users, "
        f"{imported.assignments} assignments into {', '.join(str(p) for p in imported.files)}"
    )


@app.command()
def demo(
    state_dir: Annotated[Path, typer.Option(help="where the demo keeps its database")] = Path(
        ".sojourn/demo"
    ),
    keep: Annotated[
        bool,
        typer.Option(
            "--keep", help="keep moto, the organisation and the configuration up afterwards (Ctrl-C stops)"
        ),
    ] = False,
    port: Annotated[int, typer.Option(help="moto's port with --keep (0: any free port)")] = 0,
) -> None:
    """The embedded default: moto with S1's organisation, planned and applied, then a grant just in time.

    With --keep, moto stays up and the environment that drives the CLI against it is printed."""
    from sojourn.cli.render import show_matrix
    from sojourn.demo.run import run_demo

    raise typer.Exit(run_demo(console, state_dir, show_plan, show_matrix, keep=keep, port=port))


def main() -> None:  # pragma: no cover - console entry point
    app()
