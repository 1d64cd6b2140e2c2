"""Scenario S4.4: CloudTrail log files in moto's S3 show that a permission set's holder only called
s3:GetObject on one bucket and dynamodb:Query on one table; `sojourn right-size` proposes exactly that as a
new version of the set's inline policy, `plan` shows it, `apply` makes it real (read back through boto3). A
set nobody used moves from standing rules to eligibility, and the plan removes its assignments."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3

from sojourn.catalog import load_catalog
from sojourn.demo.seed import seed_s1_organization
from tests.e2e.conftest import AwsView, Sojourn
from tests.e2e.test_s3_cross_account import Accounts, trust

BUCKET, TABLE, TRAIL_BUCKET, ORG = "orders-data", "orders", "org-trail", "o-exampleorg1"
ROLE_SUFFIX = "0123456789abcdef"
SETS = """permission_sets:
  - name: app-data
    description: The orders application's data
    session_duration: PT4H
    inline_policy:
      Version: "2012-10-17"
      Statement:
        - Sid: Storage
          Effect: Allow
          Action: ["s3:*", "dynamodb:*"]
          Resource: "*"
        - Sid: Look
          Effect: Allow
          Action: ["cloudwatch:GetMetricData", "logs:FilterLogEvents"]
          Resource: "*"
    tags: {owner: orders}
  - name: audit-tools
    description: Audit helpers nobody uses
    session_duration: PT1H
    inline_policy:
      Version: "2012-10-17"
      Statement:
        - {Effect: Allow, Action: "cloudtrail:LookupEvents", Resource: "*"}
rules:
  - name: team-a-app-data
    who: {teams: [team-a]}
    where: {own: true}
    what: [app-data]
  - name: team-a-audit
    who: {teams: [team-a]}
    where: {own: true}
    what: [audit-tools]
"""


def _record(
    account: str,
    at: datetime,
    source: str,
    name: str,
    parameters: dict[str, str],
    role: str = f"AWSReservedSSO_app-data_{ROLE_SUFFIX}",
    path: str = "aws-reserved/sso.amazonaws.com/",
) -> dict:
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:bob",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/bob",
            "accountId": account,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROAEXAMPLE",
                    "arn": f"arn:aws:iam::{account}:role/{path}{role}",
                    "accountId": account,
                    "userName": role,
                },
                "attributes": {
                    "creationDate": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "mfaAuthenticated": "false",
                },
            },
        },
        "eventTime": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2",
        "requestParameters": parameters,
        "responseElements": None,
        "eventID": f"e-{name}-{at.isoformat()}",
        "readOnly": True,
        "eventType": "AwsApiCall",
        "recipientAccountId": account,
    }


def _put_trail(endpoint: str, account: str, **role: str) -> None:
    """Three days of use (bob's of app-data, or a role's), as the organisation trail writes it."""
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=TRAIL_BUCKET)
    now = datetime.now(UTC).replace(microsecond=0)
    for back in (1, 2, 3):
        at = now - timedelta(days=back)
        records = [
            _record(
                account,
                at,
                "s3.amazonaws.com",
                "GetObject",
                {"bucketName": BUCKET, "key": f"d/{back}.csv"},
                **role,
            ),
            _record(account, at, "dynamodb.amazonaws.com", "Query", {"tableName": TABLE}, **role),
        ]
        key = (
            f"AWSLogs/{ORG}/{account}/CloudTrail/us-east-1/{at:%Y/%m/%d}/"
            f"{account}_CloudTrail_us-east-1_{at:%Y%m%dT%H%MZ}_{back}.json.gz"
        )
        body = gzip.compress(json.dumps({"Records": records}).encode())
        s3.put_object(Bucket=TRAIL_BUCKET, Key=key, Body=body)


def _apply(sojourn: Sojourn, tmp: Path, reason: str) -> None:
    plan_file = tmp / "plan.json"
    code, output = sojourn("plan", "--config", str(sojourn.config), "--out", str(plan_file))
    assert code in (0, 2), output
    code, output = sojourn("apply", str(plan_file), "--reason", reason)
    assert code == 0, output


def test_s4_4_right_size_proposes_exactly_what_was_used_and_applies_through_plan(
    s1: tuple[Sojourn, AwsView], tmp_path: Path
) -> None:
    sojourn, aws = s1
    sojourn.write("right-size.yaml", SETS)
    _apply(sojourn, tmp_path, "baseline")
    account = aws.accounts["team-a-dev"]
    assert ("team-a-dev", "app-data") in aws.access_of("bob")
    _put_trail(sojourn.endpoint, account)
    code, output = sojourn(
        "activity", "ingest", "--from", f"s3://{TRAIL_BUCKET}/AWSLogs/", "--endpoint-url", sojourn.endpoint
    )
    assert code == 0, output

    config_file = sojourn.config / "right-size.yaml"
    before = config_file.read_text()
    code, output = sojourn(
        "right-size", "--permission-set", "app-data", "--days", "30", "-c", str(sojourn.config), "--json"
    )
    assert code == 0, output
    proposal = json.loads(output)
    table_arn = f"arn:aws:dynamodb:us-east-1:{account}:table/{TABLE}"
    expected = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "UsedDynamodb", "Effect": "Allow", "Action": ["dynamodb:Query"], "Resource": table_arn},
            {
                "Sid": "UsedS3",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": f"arn:aws:s3:::{BUCKET}/*",
            },
        ],
    }
    assert proposal["policy"] == expected
    assert proposal["problems"] == []
    evidence = {e["action"]: e for s in proposal["statements"] for e in s["evidence"]}
    assert evidence["s3:GetObject"]["calls"] == 3 and evidence["s3:GetObject"]["who"] == ["bob"]
    levels = {level["level"]: level for level in proposal["access_levels"]}
    catalog = load_catalog()
    writes = catalog.union_bits(["s3:*", "dynamodb:*"]) & catalog.level_bits("Write")
    assert (levels["Write"]["removed"], levels["Write"]["kept"]) == (writes.bit_count(), 0)
    assert levels["Read"]["kept"] == 2
    assert f"+++ {config_file}" in proposal["patch"] and "-        - Sid: Storage" in proposal["patch"]
    assert config_file.read_text() == before  # a patch only: nothing written without --write

    code, output = sojourn(
        "right-size", "--permission-set", "app-data", "--days", "30", "-c", str(sojourn.config), "--write"
    )
    assert code == 0, output
    edited = config_file.read_text()
    assert "tags: {owner: orders}" in edited and "s3:GetObject" in edited and "s3:*" not in edited
    assert aws.inline_policy("app-data")["Statement"][0]["Sid"] == "Storage"  # nothing in AWS without a plan

    code, output = sojourn("plan", "--config", str(sojourn.config), "--json")
    assert code == 2, output
    plan = json.loads(output)
    changed = [c for c in plan["changes"] if c["kind"] == "permission_set"]
    assert [c["after"]["name"] for c in changed] == ["app-data"]
    assert json.loads(changed[0]["after"]["inline_policy"]) == expected
    _apply(sojourn, tmp_path, "RS-1 right-size app-data")
    assert aws.inline_policy("app-data") == expected
    assert ("team-a-dev", "app-data") in aws.access_of("bob")


def test_s4_4_an_unused_set_moves_from_standing_rules_to_eligibility(
    s1: tuple[Sojourn, AwsView], tmp_path: Path
) -> None:
    sojourn, aws = s1
    sojourn.write("right-size.yaml", SETS)
    _apply(sojourn, tmp_path, "baseline")
    assert ("team-a-dev", "audit-tools") in aws.access_of("bob")
    args = ("right-size", "--permission-set", "audit-tools", "--days", "30", "-c", str(sojourn.config))
    code, output = sojourn(*args)
    assert code == 1 and "--approver" in output
    code, output = sojourn(*args, "--approver", "team-b", "--write")
    assert code == 0, output
    edited = (sojourn.config / "right-size.yaml").read_text()
    assert "team-a-audit-audit-tools-on-request" in edited and "name: team-a-audit\n" not in edited
    code, output = sojourn("plan", "--config", str(sojourn.config), "--json")
    assert code == 2, output
    deltas = {
        f"{d['sign']} {d['permission_set']} on {d['account']}"
        for d in json.loads(output)["person_delta"]["bob"]
    }
    assert deltas == {"- audit-tools on team-a-dev", "- audit-tools on team-a-prod"}
    _apply(sojourn, tmp_path, "RS-2 audit-tools on request")
    held = aws.access_of("bob")
    assert ("team-a-dev", "audit-tools") not in held and ("team-a-dev", "app-data") in held


def test_s4_4_a_role_gets_exactly_what_it_used_within_its_policies_in_the_snapshot(
    moto_endpoint: str, tmp_path: Path
) -> None:
    """No Identity Center here: one database (SQLite) is enough."""
    ids = seed_s1_organization(moto_endpoint)
    sojourn = Sojourn(moto_endpoint, f"sqlite:///{tmp_path / 'sojourn.db'}", tmp_path)
    accounts = Accounts(moto_endpoint, ids)
    for name in ids:
        accounts.role(name, "SojournReadOnly", trust({"AWS": "arn:aws:iam::123456789012:root"}))
    broad = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:*", "dynamodb:*", "sqs:*"], "Resource": "*"}]})  # fmt: skip
    role = accounts.role("team-a-dev", "orders-app", trust({"Service": "ecs-tasks.amazonaws.com"}), broad)
    account = ids["team-a-dev"]
    _put_trail(sojourn.endpoint, account, role="orders-app", path="")
    code, output = sojourn(
        "activity", "ingest", "--from", f"s3://{TRAIL_BUCKET}/AWSLogs/", "--endpoint-url", sojourn.endpoint
    )
    assert code == 0, output
    snapshot = tmp_path / "snapshot.json"
    code, output = sojourn("snapshot", "--out", str(snapshot))
    assert code == 0, output
    code, output = sojourn(
        "right-size", "--principal", role, "--days", "30", "--snapshot", str(snapshot), "--json"
    )
    assert code == 0, output
    proposal = json.loads(output)
    assert proposal["policy"]["Statement"] == [
        {
            "Sid": "UsedDynamodb",
            "Effect": "Allow",
            "Action": ["dynamodb:Query"],
            "Resource": f"arn:aws:dynamodb:us-east-1:{account}:table/{TABLE}",
        },
        {
            "Sid": "UsedS3",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
        },
    ]
    assert proposal["limit"] == 10_240 and proposal["problems"] == [] and proposal["patch"] == ""
    iam = accounts.iam("team-a-dev")  # the role in AWS is untouched: IAM roles are not in the configuration
    document = iam.get_role_policy(RoleName="orders-app", PolicyName="inline")["PolicyDocument"]
    assert document == json.loads(broad)
