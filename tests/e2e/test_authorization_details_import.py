"""A snapshot built offline from `get-account-authorization-details` files answers as the live one does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from tests.e2e.conftest import Sojourn
from tests.e2e.test_s3_cross_account import Accounts, findings, flagged, s3  # noqa: F401  (s3 is a fixture)


def export(accounts: Accounts, account: str, folder: Path) -> Path:
    """What `aws iam get-account-authorization-details > file.json` writes: pages merged, dates as text."""
    iam = (
        boto3.client("iam", endpoint_url=accounts.endpoint, region_name="us-east-1")
        if account == "management"
        else accounts.iam(account)
    )
    merged: dict[str, list[Any]] = {}
    for page in iam.get_paginator("get_account_authorization_details").paginate():
        for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
            merged.setdefault(key, []).extend(page.get(key, []))
    path = folder / f"{account}.json"
    path.write_text(json.dumps(merged, default=str))
    return path


def imported(sojourn: Sojourn, accounts: Accounts, tmp_path: Path) -> Path:
    out = tmp_path / "imported.json"
    management = export(accounts, "management", tmp_path)  # moto's has no IAM principal: name its account
    args = ["--from-authorization-details", f"123456789012={management}"]
    for account in ("team-a-dev", "shared-services", "team-a-prod"):
        args += ["--from-authorization-details", str(export(accounts, account, tmp_path))]
    code, output = sojourn("snapshot", *args, "--out", str(out))
    assert code == 0, output
    assert "4 accounts" in output and "MFA devices are not in such a file" in output
    return out


def test_paths_who_can_and_findings_match_the_live_snapshot(
    s3: tuple[Sojourn, Accounts, Path],  # noqa: F811
    tmp_path: Path,
) -> None:
    sojourn, accounts, live = s3
    offline = imported(sojourn, accounts, tmp_path)
    alice = accounts.arn("team-a-dev", "user", "alice")
    for snapshot in (live, offline):
        code, output = sojourn("paths", "--to", "admin", "--snapshot", str(snapshot), "--json")
        assert code == 2, output
        paths = {p["principal"]: p for p in json.loads(output[output.index("[") :])}
        assert [h["to"] for h in paths[alice]["hops"]] == [
            accounts.arn("shared-services", "role", "deployer"),
            accounts.arn("team-a-prod", "role", "Admin"),
            f"admin:{accounts.ids['team-a-prod']}",
        ]
    admin_role = accounts.arn("team-a-prod", "role", "Admin")
    answers = []
    for snapshot in (live, offline):
        code, output = sojourn("who-can", "sts:AssumeRole", admin_role, "--snapshot", str(snapshot), "--json")
        assert code == 0, output
        answers.append({a["principal"] for a in json.loads(output[output.index("[") :])})
    assert answers[0] == answers[1] == {accounts.arn("shared-services", "role", "deployer"), alice}
    rows = findings(sojourn, offline)
    assert flagged(rows, "trust-wildcard-principal") == {"open-door"}
    assert flagged(rows, "trust-external-account-without-external-id") == {"vendor-audit"}


def test_a_file_of_something_else_is_refused_by_name(
    s3: tuple[Sojourn, Accounts, Path],  # noqa: F811
    tmp_path: Path,
) -> None:
    sojourn, accounts, _ = s3
    other = tmp_path / "roles.json"
    other.write_text(json.dumps({"Roles": []}))
    code, output = sojourn(
        "snapshot", "--from-authorization-details", str(other), "--out", str(tmp_path / "x")
    )
    assert code == 1 and "roles.json: not the output of `aws iam get-account-authorization-details`" in output
    twice = export(accounts, "team-a-dev", tmp_path)
    code, output = sojourn(
        "snapshot",
        "--from-authorization-details",
        str(twice),
        "--from-authorization-details",
        str(twice),
        "--out",
        str(tmp_path / "x"),
    )
    assert code == 1 and "is in an earlier file already" in output
    assert not (tmp_path / "x").exists()
