"""`sojourn snapshot` reads every Identity Center assignment from moto, even after a permission set was
provisioned (moto then lists one provisioned pair, the management account, and the pair strategy alone
would find nothing), and says in its notes why Identity Center adds nobody when it has no assignments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from sojourn.demo.seed import seed_s1_organization
from tests.e2e.conftest import Sojourn

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            }
        ],
    }
)


class IdentityCenter:
    def __init__(self, endpoint: str) -> None:
        self.sso = boto3.client("sso-admin", endpoint_url=endpoint, region_name="us-east-1")
        self.people = boto3.client("identitystore", endpoint_url=endpoint, region_name="us-east-1")
        instance = self.sso.list_instances()["Instances"][0]
        self.instance, self.store = instance["InstanceArn"], instance["IdentityStoreId"]

    def permission_set(self, name: str) -> str:
        answer = self.sso.create_permission_set(InstanceArn=self.instance, Name=name)
        arn: str = answer["PermissionSet"]["PermissionSetArn"]
        self.sso.attach_managed_policy_to_permission_set(
            InstanceArn=self.instance,
            PermissionSetArn=arn,
            ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess",
        )
        return arn

    def user(self, name: str) -> str:
        answer = self.people.create_user(
            IdentityStoreId=self.store,
            UserName=name,
            DisplayName=name.title(),
            Name={"GivenName": name.title(), "FamilyName": "Example"},
        )
        user_id: str = answer["UserId"]
        return user_id

    def assign(self, account: str, permission_set: str, user_id: str) -> None:
        self.sso.create_account_assignment(
            InstanceArn=self.instance,
            TargetId=account,
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=permission_set,
            PrincipalType="USER",
            PrincipalId=user_id,
        )


@pytest.fixture
def org(moto_endpoint: str, tmp_path: Path) -> tuple[Sojourn, dict[str, str]]:
    ids = seed_s1_organization(moto_endpoint)
    sts = boto3.client("sts", endpoint_url=moto_endpoint, region_name="us-east-1")
    for account in ids.values():
        role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
        creds = sts.assume_role(RoleArn=role, RoleSessionName="seed")["Credentials"]
        iam: Any = boto3.client(
            "iam",
            endpoint_url=moto_endpoint,
            region_name="us-east-1",
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        iam.create_role(RoleName="SojournReadOnly", AssumeRolePolicyDocument=TRUST)
    return Sojourn(moto_endpoint, f"sqlite:///{tmp_path / 'unused.db'}", tmp_path), ids


def snapshot(sojourn: Sojourn, out: Path) -> tuple[dict[str, Any], str]:
    code, output = sojourn("snapshot", "--out", str(out))
    assert code == 0, output
    return json.loads(out.read_text()), output


def test_every_assignment_reaches_the_snapshot_and_an_empty_identity_center_is_named(
    org: tuple[Sojourn, dict[str, str]], tmp_path: Path
) -> None:
    """First no assignment (a note says why nobody signs in through Identity Center), then two assignments
    and a provisioned permission set (moto then lists one pair, its own account, which holds none)."""
    sojourn, ids = org
    center = IdentityCenter(sojourn.endpoint)
    reader = center.permission_set("reader")
    alice = center.user("alice")
    taken, output = snapshot(sojourn, tmp_path / "empty.json")
    assert all(not account.get("sso") for account in taken["accounts"])
    note = next(n for n in taken["notes"] if "no account assignments" in n)
    assert "1 permission set, 1 user, 0 groups" in note
    assert f"note: {note}" in " ".join(output.split())
    accounts = len(taken["accounts"])
    shown = [line for line in output.splitlines() if line.startswith("read ") and " accounts (" in line]
    assert len(shown) == accounts  # one progress line per account, the time left on each but the last
    assert all("left" in line for line in shown[:-1]) and f"read {accounts}/{accounts}" in shown[-1]

    bob = center.user("bob")
    center.assign(ids["team-a-prod"], reader, alice)
    center.assign(ids["team-b-dev"], reader, bob)
    center.sso.provision_permission_set(
        InstanceArn=center.instance, PermissionSetArn=reader, TargetType="ALL_PROVISIONED_ACCOUNTS"
    )
    taken, output = snapshot(sojourn, tmp_path / "snap.json")
    by_id = {a["id"]: a for a in taken["accounts"]}
    signed_in = {
        (name, entry["person"]) for name, account in ids.items() for entry in by_id[account].get("sso", [])
    }
    assert signed_in == {("team-a-prod", "alice"), ("team-b-dev", "bob")}
    assert not any("no account assignments" in note for note in taken["notes"]), output
