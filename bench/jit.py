"""Just-in-time access against a moto server (its own process): approval to visible, revocation lateness
for many grants expiring in the same minute, and request/approval throughput through the service.

Run: .venv/bin/python bench/jit.py [--quick] [--json]
Peers (documented designs, not run): a revocation scheduled by a once-a-minute job is up to 60 s late.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import boto3

from bench.report import emit
from sojourn.bootstrap import Runtime
from sojourn.demo.seed import create_organization
from sojourn.demo.server import EmbeddedMoto
from sojourn.service.applying import apply_plan
from sojourn.service.config_files import read_config_sources
from sojourn.service.planning import plan_access
from sojourn.service.saved_plan import SavedPlan
from sojourn.settings import Settings
from sojourn.workflow.grant_request import State

Row = dict[str, Any]
PEER = "scheduled revocation once a minute (documented design)"


def progress(message: str) -> None:
    print(f"[jit {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def person(i: int) -> str:
    return f"p{i:03d}"


def config_text(people: int, name: Callable[[int], str] = person) -> str:
    """An on-call team of `people` who may ask for prod-admin anywhere, and one approver."""
    names = [name(i) for i in range(people)]
    people_yaml = "\n".join(f"  - {{user_name: {n}, display_name: Person {n}}}" for n in names)
    return f"""
people:
{people_yaml}
  - {{user_name: approver, display_name: The Approver}}
teams:
  - name: oncall
    members: [{", ".join(names)}]
  - name: approvers
    members: [approver]
permission_sets:
  - name: prod-admin
    session_duration: PT1H
    managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
eligibility:
  - name: asked
    who: {{teams: [oncall]}}
    permission_set: prod-admin
    where: {{all: true}}
    max_duration: 4h
    approvers: {{teams: [approvers]}}
    reason_required: false
"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Bench:
    def __init__(self, endpoint: str, workdir: Path, people: int, accounts: int) -> None:
        org = boto3.client("organizations", endpoint_url=endpoint, region_name="us-east-1")
        layout = tuple((f"prod-{i:03d}", "prod", "prod") for i in range(accounts))
        self.accounts = create_organization(org, layout)
        self.config = workdir / "access"
        self.config.mkdir()
        (self.config / "access.yaml").write_text(config_text(people))
        settings = Settings.from_environment(
            endpoint_url=endpoint, database_url=f"sqlite:///{workdir / 's.db'}"
        )
        self.rt = Runtime(settings)
        self.endpoint = endpoint
        gateway = self.rt.gateway()
        sources = read_config_sources(self.config)
        instance = gateway.instance.instance_arn
        outcome = plan_access(
            sources,
            gateway,
            self.rt.store(),
            instance=instance,
            today=self.rt.clock.now().date(),
            catalog=self.rt.catalog(),
        )
        saved = SavedPlan(outcome.plan, outcome.desired, self.rt.clock.now(), str(self.config))
        apply_plan(
            saved,
            gateway,
            self.rt.store(),
            instance=instance,
            actor="bench",
            reason="set up",
            clock=self.rt.clock,
            drift=outcome.config.settings.drift,
        )
        self.service = self.rt.jit_service(self.config)
        self.worker = self.rt.worker(self.config, name="bench")
        self.sso = boto3.client("sso-admin", endpoint_url=endpoint, region_name="us-east-1")
        self.instance = instance
        self.ps_arn = next(
            a
            for a in self.sso.list_permission_sets(InstanceArn=instance)["PermissionSets"]
            if self.sso.describe_permission_set(InstanceArn=instance, PermissionSetArn=a)["PermissionSet"][
                "Name"
            ]
            == "prod-admin"
        )
        self._stop = threading.Event()

    def run_worker(self) -> threading.Thread:
        def loop() -> None:
            while not self._stop.is_set():
                self.worker.tick()
                time.sleep(0.05)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        return thread

    def visible(self, account: str) -> bool:
        listed = self.sso.list_account_assignments(
            InstanceArn=self.instance, AccountId=account, PermissionSetArn=self.ps_arn
        )
        return bool(listed["AccountAssignments"])

    def approval_to_visible(self, samples: int) -> list[float]:
        latencies = []
        account = next(iter(self.accounts.values()))
        for i in range(samples):
            made = self.service.request(
                f"p{i % 5:03d}", "prod-admin", (account,), timedelta(hours=1), "bench"
            )
            started = time.perf_counter()
            self.service.approve(made.id, "approver")
            while not self.visible(account):
                time.sleep(0.01)
            latencies.append(time.perf_counter() - started)
            self.service.revoke(made.id, "approver", "bench")
            while self.visible(account):
                time.sleep(0.01)
        return latencies

    def expiry_lateness(self, people: int, grants: int, duration: timedelta) -> list[float]:
        accounts = list(self.accounts.values())
        ids = []
        for i in range(grants):
            made = self.service.request(
                f"p{i % people:03d}",
                "prod-admin",
                (accounts[(i // people) % len(accounts)],),
                duration,
                "bench",
            )
            self.service.approve(made.id, "approver")
            ids.append(made.id)
        progress(f"{grants} grants approved; waiting for them to start and end")
        counts = self.rt.gateway().log.counts
        before = dict(counts)
        started = time.monotonic()
        while True:
            found = [self.service.get(i) for i in ids]
            if all(r.revoked_in_aws_at for r in found):
                break
            time.sleep(1)
        spent = time.monotonic() - started
        calls = {k: v - before.get(k, 0) for k, v in counts.items() if k.startswith("sso-admin:")}
        ranked = sorted(calls.items(), key=lambda kv: -kv[1])[:6]
        busiest = ", ".join(f"{name.split(':')[1]} {count}" for name, count in ranked)
        progress(
            f"while they ran and ended: {sum(calls.values())} sso-admin calls in {spent:.0f} s "
            f"({sum(calls.values()) / spent:.1f}/s; {busiest})"
        )
        late = [
            (r.revoked_in_aws_at - r.ends_at).total_seconds()
            for r in found
            if r.ends_at and r.revoked_in_aws_at
        ]
        assert all(r.state is State.ENDED for r in found)
        return late

    def throughput(self, count: int) -> tuple[float, float]:
        account = next(iter(self.accounts.values()))
        started = time.perf_counter()
        made = [
            self.service.request(f"p{i % 5:03d}", "prod-admin", (account,), timedelta(hours=1), "t")
            for i in range(count)
        ]
        requests = count / (time.perf_counter() - started)
        started = time.perf_counter()
        for request in made:
            self.service.deny(request.id, "approver", "bench")
        approvals = count / (time.perf_counter() - started)
        return requests, approvals

    def api_throughput(self, count: int) -> tuple[float, float]:
        """Requests and approvals through the HTTP API (uvicorn on 127.0.0.1, OpenID Connect tokens from a
        local issuer), sequential, one connection: the cost a person or a bot sees."""
        import socket

        import httpx
        import uvicorn
        from tests.api.issuer import AUDIENCE, local_issuer

        from sojourn.api.app import ApiContext, create_app
        from sojourn.api.auth_oidc import OidcSettings, OidcVerifier

        with local_issuer() as issuer, socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
            probe.close()
            verifier = OidcVerifier(OidcSettings(issuer.url, AUDIENCE, role_map={"approvers": "approver"}))
            store = self.rt.store()
            app = create_app(ApiContext(self.service, store.tokens, store.audit, self.rt.clock, verifier))
            server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            while not server.started:
                time.sleep(0.05)
            account = next(iter(self.accounts.values()))
            body = {"permission_set": "prod-admin", "accounts": [account], "duration": "1h"}
            approver = {"Authorization": f"Bearer {issuer.token('approver', ['approvers'], lifetime=3600)}"}
            people = {
                f"p{i:03d}": {"Authorization": f"Bearer {issuer.token(f'p{i:03d}', [], lifetime=3600)}"}
                for i in range(5)
            }
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
                started = time.perf_counter()
                ids = [
                    client.post("/v1/requests", json=body, headers=people[f"p{i % 5:03d}"]).json()["id"]
                    for i in range(count)
                ]
                requests = count / (time.perf_counter() - started)
                started = time.perf_counter()
                for request_id in ids:
                    client.post(
                        f"/v1/requests/{request_id}/deny", json={"comment": "bench"}, headers=approver
                    ).raise_for_status()
                approvals = count / (time.perf_counter() - started)
            server.should_exit = True
            thread.join(5)
        return requests, approvals

    def stop(self) -> None:
        self._stop.set()
        self.rt.close()


def row(metric: str, ours: Any, unit: str, target: str, meets: bool | None, peer: Any = None) -> Row:
    peer_name = PEER if peer is not None else "none (no peer publishes this figure)"
    return {
        "metric": metric,
        "ours": ours,
        "peer": peer,
        "peer_name": peer_name,
        "unit": unit,
        "target": target,
        "meets_target": meets,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5 samples, 30 grants: a smoke run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(key, "bench")
    samples, people, accounts, grants = (5, 5, 5, 30) if args.quick else (50, 50, 20, 1000)
    with tempfile.TemporaryDirectory() as tmp, EmbeddedMoto(separate_process=True) as moto:
        progress(f"moto on {moto.endpoint_url}; {accounts} accounts, {people} people")
        bench = Bench(moto.endpoint_url, Path(tmp), people, accounts)
        bench.run_worker()
        try:
            visible = bench.approval_to_visible(samples)
            progress(f"approval to visible: p50 {statistics.median(visible):.3f} s")
            late = bench.expiry_lateness(people, grants, timedelta(seconds=5 if args.quick else 90))
            requests, approvals = bench.throughput(50 if args.quick else 200)
            api_requests, api_approvals = bench.api_throughput(30 if args.quick else 200)
        finally:
            bench.stop()
    rows = [
        row("approval to visible in AWS, p50", round(statistics.median(visible), 3), "s", "", None),
        row(
            "approval to visible in AWS, p99",
            round(percentile(visible, 99), 3),
            "s",
            "< 2 s",
            percentile(visible, 99) < 2,
        ),
        row(
            f"revocation lateness, {grants} grants ending within a minute, p50",
            round(statistics.median(late), 3),
            "s",
            "",
            None,
            30,
        ),
        row(
            f"revocation lateness, {grants} grants, p99",
            round(percentile(late, 99), 3),
            "s",
            "< 2 s",
            percentile(late, 99) < 2,
            60,
        ),
        row(
            f"revocation lateness, {grants} grants, max", round(max(late), 3), "s", "< 5 s", max(late) < 5, 60
        ),
        row("requests per second (service, SQLite)", round(requests, 1), "1/s", "", None),
        row("approvals per second (service, SQLite)", round(approvals, 1), "1/s", "", None),
        row("requests per second (HTTP API, OIDC, one client)", round(api_requests, 1), "1/s", "", None),
        row("approvals per second (HTTP API, OIDC, one client)", round(api_approvals, 1), "1/s", "", None),
    ]
    emit("jit", rows, as_json=args.json)


if __name__ == "__main__":
    main()
