"""Just-in-time fixtures: S1's organisation with a prod-admin permission set and eligibility, applied,
then the service and a worker on a simulated clock, and AWS read back through boto3."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sojourn.aws.gateway import Boto3IdentityCenter
from sojourn.aws.settings import AwsSettings
from sojourn.clock import FixedClock
from sojourn.service.jit import JitService
from sojourn.service.jit_runtime import CachedDirectory, session_revoker, standing_lookup
from sojourn.store import Store, open_store
from sojourn.worker.runner import Worker
from tests.conftest import MOTO_CALL_RATE
from tests.e2e.conftest import AwsView, Sojourn

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
JIT_YAML = """
permission_sets:
  - name: prod-admin
    description: Administrator on production, only just in time
    session_duration: PT2H
    managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
teams:
  - name: sre
    members: [erin, carol]
eligibility:
  - name: team-a-prod-admin
    who: {teams: [team-a]}
    permission_set: prod-admin
    where: {ous: [/prod]}
    max_duration: 4h
    approvers: {teams: [sre]}
    ticket_pattern: "INC-[0-9]+"
  - name: sre-prod-admin
    who: {teams: [sre]}
    permission_set: prod-admin
    where: {ous: [/prod]}
    max_duration: 4h
    approvers: {teams: [sre]}
break_glass:
  - name: prod-break-glass
    who: {teams: [team-a]}
    permission_set: prod-admin
    where: {ous: [/prod]}
    max_duration: 1h
    notify: [security]
"""


@dataclass
class Jit:
    sojourn: Sojourn
    aws: AwsView
    store: Store
    clock: FixedClock
    service: JitService
    worker: Worker
    gateway: Boto3IdentityCenter

    def holds(self, person: str) -> set[tuple[str, str]]:
        return self.aws.access_of(person)


@pytest.fixture
def jit(s1: tuple[Sojourn, AwsView]) -> Jit:
    sojourn, view = s1
    sojourn.write("jit.yaml", JIT_YAML)
    code, output = sojourn("apply", "--yes", "--config", str(sojourn.config), "--reason", "set up S2")
    assert code == 0, output
    store = open_store(sojourn.database_url)
    clock = FixedClock(T0)
    gateway = Boto3IdentityCenter(AwsSettings(endpoint_url=sojourn.endpoint, sso_rate=MOTO_CALL_RATE))
    directory = CachedDirectory(Path(sojourn.config), gateway)
    service = JitService(store.grants, clock, directory)
    worker = Worker(
        store.grants,
        gateway,
        clock,
        owner="w1",
        standing=standing_lookup(directory, lambda: clock.now().date()),
        revoke_sessions=session_revoker(gateway, clock),
    )
    return Jit(sojourn, view, store, clock, service, worker, gateway)
