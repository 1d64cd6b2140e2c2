"""S3: cross-account trust and escalation, read from a moto organisation with `sojourn snapshot`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from sojourn.demo.seed import seed_s1_organization
from tests.e2e.conftest import Sojourn

EXTERNAL = "999988887777"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust(principal: dict[str, Any], **extra: Any) -> str:
    return doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal, **extra})


def admin() -> str:
    return doc({"Effect": "Allow", "Action": "*", "Resource": "*"})


class Accounts:
    """IAM in member accounts through assumed-role credentials, as an operator would script it."""

    def __init__(self, endpoint: str, ids: dict[str, str]) -> None:
        self.endpoint, self.ids = endpoint, ids
        self.sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1")

    def iam(self, account: str) -> Any:
        role = f"arn:aws:iam::{self.ids[account]}:role/OrganizationAccountAccessRole"
        creds = self.sts.assume_role(RoleArn=role, RoleSessionName="seed")["Credentials"]
        return boto3.client(
            "iam",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )

    def role(self, account: str, name: str, trust_policy: str, inline: str | None = None) -> str:
        iam = self.iam(account)
        arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy)["Role"]["Arn"]
        if inline:
            iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=inline)
        return arn

    def arn(self, account: str, kind: str, name: str) -> str:
        return f"arn:aws:iam::{self.ids[account]}:{kind}/{name}"


@pytest.fixture
def s3(moto_endpoint: str, tmp_path: Path) -> tuple[Sojourn, Accounts, Path]:
    """Snapshots need no database: one organisation on SQLite is enough."""
    ids = seed_s1_organization(moto_endpoint)
    sojourn = Sojourn(moto_endpoint, f"sqlite:///{tmp_path / 'unused.db'}", tmp_path)
    accounts = Accounts(moto_endpoint, ids)
    for name in ids:
        accounts.role(name, "SojournReadOnly", trust({"AWS": "arn:aws:iam::123456789012:root"}))
    dev = accounts.iam("team-a-dev")
    dev.create_user(UserName="alice")
    deployer = accounts.arn("shared-services", "role", "deployer")
    prod_admin = accounts.arn("team-a-prod", "role", "Admin")
    dev.put_user_policy(
        UserName="alice",
        PolicyName="hop",
        PolicyDocument=doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": deployer}),
    )
    accounts.role(
        "shared-services",
        "deployer",
        trust({"AWS": f"arn:aws:iam::{ids['team-a-dev']}:root"}),
        doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": prod_admin}),
    )
    accounts.role("team-a-prod", "Admin", trust({"AWS": deployer}), admin())
    accounts.role("team-a-prod", "open-door", trust({"AWS": "*"}))
    accounts.role("team-a-prod", "vendor-audit", trust({"AWS": f"arn:aws:iam::{EXTERNAL}:root"}), admin())
    own_root = {"AWS": f"arn:aws:iam::{ids['team-a-prod']}:root"}
    accounts.role("team-a-prod", "ops", trust(own_root), admin())
    accounts.role("team-a-prod", "reader", trust(own_root))
    out = tmp_path / "snapshot.json"
    code, output = sojourn("snapshot", "--out", str(out))
    assert code == 0, output
    return sojourn, accounts, out


def findings(sojourn: Sojourn, snapshot: Path) -> list[dict[str, Any]]:
    code, output = sojourn("findings", "--snapshot", str(snapshot), "--format", "json")
    assert code == 0, output
    rows: list[dict[str, Any]] = json.loads(output[output.index("[") :])
    return rows


def flagged(rows: list[dict[str, Any]], check: str) -> set[str]:
    return {r["source"].split("#")[0].rsplit("/", 1)[-1] for r in rows if r["check"] == check}


def test_s3_1_and_s3_2_trust_findings(s3: tuple[Sojourn, Accounts, Path]) -> None:
    sojourn, _, snapshot = s3
    rows = findings(sojourn, snapshot)
    assert flagged(rows, "trust-wildcard-principal") == {"open-door"}
    assert {r["severity"] for r in rows if r["check"] == "trust-wildcard-principal"} == {"critical"}
    assert flagged(rows, "trust-external-account-without-external-id") == {"vendor-audit"}
    # people of the account may assume ops (an administrator) without MFA; reader holds nothing sensitive
    assert "ops" in flagged(rows, "trust-human-without-mfa")
    assert "reader" not in flagged(rows, "trust-human-without-mfa")


def test_s3_3_escalation_path_reported_hop_by_hop(s3: tuple[Sojourn, Accounts, Path]) -> None:
    sojourn, accounts, snapshot = s3
    code, output = sojourn("paths", "--to", "admin", "--snapshot", str(snapshot), "--json")
    assert code == 2, output
    paths = {p["principal"]: p for p in json.loads(output[output.index("[") :])}
    alice = paths[accounts.arn("team-a-dev", "user", "alice")]
    assert [(h["kind"], h["to"]) for h in alice["hops"]] == [
        ("can assume", accounts.arn("shared-services", "role", "deployer")),
        ("can assume", accounts.arn("team-a-prod", "role", "Admin")),
        ("is administrator of", f"admin:{accounts.ids['team-a-prod']}"),
    ]
    assert "team-a-dev/alice" in alice["text"] and "team-a-prod/Admin" in alice["text"]


def test_s3_4_who_can_assume_the_admin_role(s3: tuple[Sojourn, Accounts, Path]) -> None:
    sojourn, accounts, snapshot = s3
    admin_role = accounts.arn("team-a-prod", "role", "Admin")
    code, output = sojourn("who-can", "sts:AssumeRole", admin_role, "--snapshot", str(snapshot), "--json")
    assert code == 0, output
    answers = {a["principal"]: [h["to"] for h in a["hops"]] for a in json.loads(output[output.index("[") :])}
    deployer = accounts.arn("shared-services", "role", "deployer")
    assert answers == {deployer: [], accounts.arn("team-a-dev", "user", "alice"): [deployer]}


def test_who_can_names_the_outsiders_a_trust_policy_lets_in(s3: tuple[Sojourn, Accounts, Path]) -> None:
    sojourn, accounts, snapshot = s3

    def who(role: str) -> dict[str, dict[str, Any]]:
        arn = accounts.arn("team-a-prod", "role", role)
        code, output = sojourn("who-can", "sts:AssumeRole", arn, "--snapshot", str(snapshot), "--json")
        assert code == 0, output
        return {a["principal"]: a for a in json.loads(output[output.index("[") :])}

    vendor = who("vendor-audit")[f"external:{EXTERNAL}"]
    assert vendor["hops"] == [] and "outside the organisation" in vendor["text"]
    assert who("open-door")["anyone"]["text"] == "anyone with an AWS account"
    code, table = sojourn(
        "who-can",
        "sts:AssumeRole",
        accounts.arn("team-a-prod", "role", "open-door"),
        "--snapshot",
        str(snapshot),
    )
    assert code == 0 and "anyone with an AWS account" in table


def test_an_scp_on_the_dev_unit_cuts_the_path(s3: tuple[Sojourn, Accounts, Path], tmp_path: Path) -> None:
    sojourn, accounts, _ = s3
    org = boto3.client("organizations", endpoint_url=sojourn.endpoint, region_name="us-east-1")
    root = org.list_roots()["Roots"][0]["Id"]
    dev_unit = next(
        u
        for u in org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
        if u["Name"] == "dev"
    )
    deny = doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"},
    )
    policy = org.create_policy(Name="no-hops", Description="", Type="SERVICE_CONTROL_POLICY", Content=deny)
    org.attach_policy(PolicyId=policy["Policy"]["PolicySummary"]["Id"], TargetId=dev_unit["Id"])
    out = tmp_path / "after.json"
    assert sojourn("snapshot", "--out", str(out))[0] == 0
    code, output = sojourn("paths", "--to", "team-a-prod/Admin", "--snapshot", str(out), "--json")
    assert code == 2, output
    starts = {p["principal"] for p in json.loads(output[output.index("[") :])}
    assert accounts.arn("team-a-dev", "user", "alice") not in starts
    assert accounts.arn("shared-services", "role", "deployer") in starts


def test_sarif_and_html_reports(s3: tuple[Sojourn, Accounts, Path]) -> None:
    sojourn, _, snapshot = s3
    code, output = sojourn(
        "findings", "--snapshot", str(snapshot), "--format", "sarif", "--fail-on", "critical"
    )
    assert code == 2
    sarif = json.loads(output[output.index("{") :])
    assert sarif["version"] == "2.1.0"
    assert "trust-wildcard-principal" in {r["ruleId"] for r in sarif["runs"][0]["results"]}
    code, output = sojourn("findings", "--snapshot", str(snapshot), "--format", "html")
    assert code == 0 and "<!DOCTYPE html>" in output
    assert "open-door" in output and "<script" not in output
