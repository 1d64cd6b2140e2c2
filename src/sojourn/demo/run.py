"""The embedded default end to end: moto with S1's organisation, plan, apply, matrix, drift, audit."""

from __future__ import annotations

import shlex
import shutil
import signal
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

import boto3
from rich.console import Console

from sojourn.access.organization import Organization
from sojourn.access.plan import Plan
from sojourn.bootstrap import Runtime
from sojourn.clock import FixedClock
from sojourn.demo.jit_demo import jit_config, run_jit
from sojourn.demo.seed import seed_s1_organization
from sojourn.demo.server import EmbeddedMoto
from sojourn.service.applying import ApplyOutcome, apply_plan
from sojourn.service.config_files import read_config_sources
from sojourn.service.planning import PlanOutcome, plan_access
from sojourn.service.saved_plan import SavedPlan
from sojourn.settings import EMBEDDED_KEY, Settings, use_embedded_credentials

EXAMPLE_CONFIG = Path(__file__).with_name("config")


ShowPlan = Callable[[Console, Plan, Mapping[str, str], int, str], None]
ShowMatrix = Callable[
    [Console, Mapping[str, Mapping[str, Mapping[str, tuple[str, ...]]]], Organization], None
]


def run_demo(
    console: Console,
    state_dir: Path,
    show_plan: ShowPlan,
    show_matrix: ShowMatrix,
    *,
    keep: bool = False,
    port: int = 0,
) -> int:
    """Returns the process exit code. `keep`: moto stays up afterwards, until Ctrl-C, for the CLI to use."""
    use_embedded_credentials()
    if state_dir.exists():
        shutil.rmtree(state_dir)
    state_dir.mkdir(parents=True)
    with EmbeddedMoto(port=port) as moto:
        code = _run(console, state_dir, show_plan, show_matrix, moto)
        if keep:
            keep_running(console, moto.endpoint_url, state_dir)
        return code


def _run(
    console: Console, state_dir: Path, show_plan: ShowPlan, show_matrix: ShowMatrix, moto: EmbeddedMoto
) -> int:
    console.rule("Sojourn demo: the embedded default")
    console.print(f"moto server on {moto.endpoint_url}; database sqlite:///{state_dir / 'sojourn.db'}")
    accounts = seed_s1_organization(moto.endpoint_url)
    console.print(f"Seeded scenario S1's organisation: {', '.join(sorted(accounts))}")
    settings = Settings.from_environment(
        endpoint_url=moto.endpoint_url, database_url=f"sqlite:///{state_dir / 'sojourn.db'}"
    )
    rt = Runtime(settings)
    try:
        sources = read_config_sources(EXAMPLE_CONFIG)
        gateway = rt.gateway()
        instance = gateway.instance.instance_arn
        today = rt.clock.now().date()

        def plan(config_sources: Mapping[str, str]) -> PlanOutcome:
            return plan_access(
                config_sources, gateway, rt.store(), instance=instance, today=today, catalog=rt.catalog()
            )

        def apply(outcome: PlanOutcome, source: Path, reason: str) -> ApplyOutcome:
            return apply_plan(
                SavedPlan(outcome.plan, outcome.desired, rt.clock.now(), str(source)),
                gateway,
                rt.store(),
                instance=instance,
                actor=settings.actor,
                reason=reason,
                clock=rt.clock,
                drift=outcome.config.settings.drift,
            )

        console.rule("sojourn plan")
        outcome = plan(sources)
        names = {a.id: a.name for a in outcome.organization.accounts}
        show_plan(console, outcome.plan, names, sum(outcome.read.api_calls.values()), outcome.read.strategy)
        console.rule("sojourn apply")
        result = apply(outcome, EXAMPLE_CONFIG, "demo: first apply of the example configuration")
        console.print(f"applied {result.done} changes, {len(result.failed)} failed (run {result.run_id})")
        show_matrix(console, outcome.effective, outcome.organization)
        console.rule("a hand-made change in AWS, then sojourn plan again")
        _add_assignment_by_hand(moto.endpoint_url, gateway.instance.instance_arn, accounts["team-a-prod"])
        again = plan(sources)
        show_plan(console, again.plan, names, sum(again.read.api_calls.values()), again.read.strategy)
        console.rule("sojourn audit verify")
        report = rt.store().audit.verify()
        console.print(
            f"{'OK' if report.ok else 'TAMPERED'}: {report.checked} records; head {report.head_hash}"
        )
        console.rule("just-in-time access (docs/jit.md)")
        jit_sources = jit_config(EXAMPLE_CONFIG, state_dir)
        jit_plan = plan(read_config_sources(jit_sources))
        applied = apply(jit_plan, jit_sources, "demo: add prod-admin, on request only")
        removed = sum(1 for item in jit_plan.plan.drift if item.removed)
        console.print(
            f"applied {applied.done} changes (prod-admin and team sre"
            + (f"; {removed} drift item(s) above removed)" if removed else ")")
        )
        jit_ok = run_jit(console, rt, jit_sources, accounts["team-a-prod"], FixedClock(rt.clock.now()))
        return 0 if result.ok and report.ok and applied.ok and jit_ok else 1
    finally:
        rt.close()


def keep_running(console: Console, endpoint_url: str, state_dir: Path) -> None:
    """Print the environment that drives the CLI against this moto, write it to env.sh, wait for Ctrl-C."""
    state = state_dir.resolve()
    exports = {
        "AWS_ACCESS_KEY_ID": EMBEDDED_KEY,
        "AWS_SECRET_ACCESS_KEY": EMBEDDED_KEY,
        "AWS_DEFAULT_REGION": "us-east-1",
        "SOJOURN_AWS_ENDPOINT_URL": endpoint_url,
        "SOJOURN_DATABASE_URL": f"sqlite:///{state / 'sojourn.db'}",
    }
    lines = [f"export {name}={shlex.quote(value)}" for name, value in exports.items()]
    (state / "env.sh").write_text("\n".join(lines) + "\n", encoding="utf-8")
    console.rule("moto keeps running (sojourn demo --keep)")
    console.print(
        "The seeded organisation, the database and the configuration stay; in another terminal run:",
        highlight=False,
    )
    for line in lines:
        console.print(f"  {line}", highlight=False, markup=False, soft_wrap=True)
    console.print(f"  sojourn plan --config {state / 'access'}", highlight=False, soft_wrap=True)
    console.print(f"The same lines are in {state / 'env.sh'}, to source. Ctrl-C stops moto.", highlight=False)
    console.file.flush()
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    console.print("moto stopped.")


def _add_assignment_by_hand(endpoint_url: str, instance_arn: str, account_id: str) -> None:
    """Somebody grants read-only to a new user in the console, outside Sojourn."""
    sso = boto3.client("sso-admin", endpoint_url=endpoint_url, region_name="us-east-1")
    store_id = sso.list_instances()["Instances"][0]["IdentityStoreId"]
    identity = boto3.client("identitystore", endpoint_url=endpoint_url, region_name="us-east-1")
    user_id = identity.create_user(
        IdentityStoreId=store_id,
        UserName="mallory",
        DisplayName="Mallory",
        Name={"GivenName": "Mallory", "FamilyName": "Hand"},
    )["UserId"]
    arns = sso.list_permission_sets(InstanceArn=instance_arn)["PermissionSets"]
    admin = next(
        a
        for a in arns
        if sso.describe_permission_set(InstanceArn=instance_arn, PermissionSetArn=a)["PermissionSet"]["Name"]
        == "developer"
    )
    sso.create_account_assignment(
        InstanceArn=instance_arn,
        TargetId=account_id,
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=admin,
        PrincipalType="USER",
        PrincipalId=user_id,
    )
