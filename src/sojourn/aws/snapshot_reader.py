"""Take a snapshot of the organisation for offline analysis (who-can, paths, findings).

Every account is read through a role assumed in it (the read-only role named in settings); the caller's own
account is read with the caller's credentials. An account that cannot be read is left out and named in the
snapshot's notes, never silently.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sojourn.access.organization import Account, Organization
from sojourn.access.outcome import ReadResult
from sojourn.analysis.snapshot import AccountSnapshot, Document, OrgSnapshot
from sojourn.analysis.sso_roles import with_identity_center
from sojourn.aws.authorization_reader import read_account
from sojourn.aws.calls import Caller, CallLog, RetryPolicy
from sojourn.aws.clients import client_factory
from sojourn.aws.gateway import Boto3IdentityCenter, NoIdentityCenter
from sojourn.aws.organization_reader import read_organization
from sojourn.aws.pacing import AdaptiveRate, OutstandingWindow, Pacing
from sojourn.aws.policy_tree_reader import PolicyTreeReader
from sojourn.aws.resource_policy_reader import ResourcePolicyReader
from sojourn.aws.settings import AwsSettings

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Boto3PolicySource:
    """The organisation's policies read through boto3, a role assumed in each account (the policy port)."""

    settings: AwsSettings
    read_role: str
    with_identity_center_roles: bool = True

    def read_snapshot(self, now: datetime, progress: Progress | None = None) -> OrgSnapshot:
        return take_snapshot(self.settings, self.read_role, now, progress, self.with_identity_center_roles)


def take_snapshot(
    settings: AwsSettings,
    read_role: str,
    now: datetime,
    progress: Progress | None = None,
    with_identity_center_roles: bool = True,
    log: CallLog | None = None,
) -> OrgSnapshot:
    """`log` counts the calls made (a fresh one when not given); IAM calls are paced at `iam_rate` at most,
    slower after each throttle (IAM's limits are not published: the pace learns them)."""
    pacing = Pacing({"iam": AdaptiveRate(settings.iam_rate)}, OutstandingWindow(settings.max_outstanding))
    call = Caller(log or CallLog(), RetryPolicy(max_attempts=settings.max_attempts), pacing)
    client = client_factory(settings)
    organizations, sts = client("organizations"), client("sts")
    caller_account = call(sts, "get_caller_identity")["Account"]
    organization_id = call(organizations, "describe_organization")["Organization"]["Id"]
    accounts = read_organization(call, organizations, with_tags=False).accounts
    tree = PolicyTreeReader(call, organizations)
    notes: list[str] = []
    aws_policies: dict[str, Document] = {}
    done = 0

    def one(account: Account) -> tuple[AccountSnapshot, dict[str, Document]] | None:
        nonlocal done
        try:
            result = _read_one(settings, call, sts, caller_account, read_role, account, tree, notes)
        finally:
            done += 1
            if progress:
                progress(account.name, done, len(accounts))
        return result

    with ThreadPoolExecutor(settings.max_concurrency) as pool:
        results = [r for r in pool.map(one, accounts) if r is not None]
    snapshots = []
    for snapshot, used in results:
        aws_policies.update(used)
        snapshots.append(snapshot)
    if with_identity_center_roles:
        snapshots = _add_identity_center(settings, accounts, snapshots, notes)
    return OrgSnapshot(tuple(snapshots), organization_id, aws_policies, now.isoformat(), tuple(sorted(notes)))


def _read_one(
    settings: AwsSettings,
    call: Caller,
    sts: Any,
    caller_account: str,
    read_role: str,
    account: Account,
    tree: PolicyTreeReader,
    notes: list[str],
) -> tuple[AccountSnapshot, dict[str, Document]] | None:
    credentials = None
    try:
        if account.id != caller_account:
            role_arn = f"arn:aws:iam::{account.id}:role/{read_role}"
            answer = call(sts, "assume_role", RoleArn=role_arn, RoleSessionName="sojourn-snapshot")
            credentials = answer["Credentials"]
        client = client_factory(settings, credentials)
        snapshot, used = read_account(call, client("iam"), client("lambda"), account.id, account.name)
    except (ClientError, BotoCoreError) as error:
        notes.append(f"account {account.name} ({account.id}) left out: {error}")
        return None
    regions: dict[str, Callable[[str], Any]] = {settings.region: client}

    def clients(service: str, region: str | None) -> Any:
        region = region or settings.region
        if region not in regions:
            regions[region] = client_factory(replace(settings, region=region), credentials)
        return regions[region](service)

    label = f"{account.name} ({account.id})"
    resource_policies = ResourcePolicyReader(call, clients, account.id, label, notes).read(
        f.arn for f in snapshot.functions
    )
    scps = tree.levels(account.id, "SERVICE_CONTROL_POLICY")
    rcps = tree.levels(account.id, "RESOURCE_CONTROL_POLICY")
    if rcps is None:
        notes.append(f"resource control policies not readable for {account.name}; evaluated without them")
    return replace(snapshot, scps=scps or (), rcps=rcps or (), resource_policies=resource_policies), used


def _add_identity_center(
    settings: AwsSettings, accounts: tuple[Account, ...], snapshots: list[AccountSnapshot], notes: list[str]
) -> list[AccountSnapshot]:
    try:
        gateway = Boto3IdentityCenter(replace(settings, read_strategy="principal"))
        read = gateway.read_state(Organization(accounts))
    except (ClientError, BotoCoreError, NoIdentityCenter) as error:
        notes.append(f"Identity Center not read ({error}); permission sets are not in the graph")
        return snapshots
    notes.extend(identity_center_notes(read))
    return [with_identity_center(s, read.state) for s in snapshots]


def identity_center_notes(read: ReadResult) -> list[str]:
    """Why Identity Center adds nobody to the snapshot, or what the endpoint would not show."""
    state = read.state
    notes = []
    if read.unsupported:
        notes.append(
            f"Identity Center: the endpoint does not implement {', '.join(read.unsupported)}; "
            "permission sets are read without what those calls return"
        )
    if not state.assignments:
        counts = ", ".join(
            _count(n, what)
            for n, what in (
                (len(state.permission_sets), "permission set"),
                (len(state.users), "user"),
                (len(state.groups), "group"),
            )
        )
        notes.append(
            f"Identity Center has no account assignments ({counts}, every user and group asked): "
            "nobody signs in through it, so no SSO roles or people are in the graph"
        )
    return notes


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"
