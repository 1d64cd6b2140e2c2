"""The demo's just-in-time part: a request, a refused self-approval, an approval, the grant in AWS, and its
end on time, on a simulated clock so the two hours pass at once."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

from rich.console import Console

from sojourn.bootstrap import Runtime
from sojourn.clock import FixedClock
from sojourn.service.held import held_between
from sojourn.service.ports.provider import Provider
from sojourn.workflow.transitions import SelfApproval

JIT_CONFIG = Path(__file__).with_name("jit.yaml")


def jit_config(example: Path, state_dir: Path) -> Path:
    """The example configuration plus the just-in-time rules, in the demo's own directory."""
    target = state_dir / "access"
    shutil.copytree(example, target)
    shutil.copy(JIT_CONFIG, target / "jit.yaml")
    return target


def holds(provider: Provider, person: str, account: str) -> bool:
    state = provider.read_state(provider.read_organization(with_tags=False)).state
    return any(
        a.principal == person and a.account_id == account and a.permission_set == "prod-admin"
        for a in state.assignments
    )


def run_jit(console: Console, rt: Runtime, config: Path, account: str, now: FixedClock) -> bool:
    """The request-to-revocation path, built exactly as production builds it, on the simulated clock `now`."""
    simulated = rt.with_clock(now)
    service = simulated.jit_service(config)
    worker = simulated.worker(config, name="demo")
    provider, store = simulated.provider(), simulated.store()
    made = service.request(
        "alice", "prod-admin", ("team-a-prod",), timedelta(hours=2), "INC-4711 failover", "INC-4711"
    )
    console.print(
        f"alice asks for prod-admin on team-a-prod for 2h: request {made.id}, "
        f"approvers {sorted(made.approvers)}"
    )
    try:
        service.approve(made.id, "alice")
    except SelfApproval as refused:
        console.print(f"alice approves her own request: refused ({refused})")
    service.approve(made.id, "erin", "go")
    worker.tick()
    granted = holds(provider, "alice", account)
    console.print(f"erin approves; the worker provisions it: alice holds prod-admin in AWS: {granted}")
    now.advance(hours=2)
    worker.tick()
    removed = not holds(provider, "alice", account)
    console.print(f"two hours later (simulated): removed from AWS, live sessions denied: {removed}")
    start = now.now() - timedelta(hours=3)
    for h in held_between(store.audit, "prod-admin", account, start, now.now() + timedelta(seconds=1)):
        console.print(
            f"audit: {h.person} held prod-admin {h.start:%H:%M}-{h.end:%H:%M} UTC, "
            f"approved by {', '.join(h.approved_by)}"
            if h.end
            else f"audit: {h.person} still holds it"
        )
    return granted and removed
