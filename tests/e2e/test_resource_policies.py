"""Resource policies read from a moto organisation by `sojourn snapshot`; who-can and findings on them."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from sojourn.analysis.snapshot_codec import snapshot_from_json, snapshot_to_json
from sojourn.aws import snapshot_reader
from sojourn.aws.faults import FaultPlan, inject_faults
from sojourn.aws.settings import AwsSettings
from sojourn.demo.seed import seed_s1_organization
from tests.e2e.conftest import Sojourn
from tests.e2e.test_s3_cross_account import Accounts, doc, trust

A, B = "team-a-dev", "shared-services"
OPEN, DENYING = "b-reports", "b-reports-denying"


class Member(Accounts):
    def client(self, account: str, service: str) -> Any:
        role = f"arn:aws:iam::{self.ids[account]}:role/OrganizationAccountAccessRole"
        creds = self.sts.assume_role(RoleArn=role, RoleSessionName="seed")["Credentials"]
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )


def statement(
    principal: Any, action: str, resource: str, effect: str = "Allow", **extra: Any
) -> dict[str, Any]:
    return {"Effect": effect, "Principal": principal, "Action": action, "Resource": resource, **extra}


@pytest.fixture
def org(moto_endpoint: str, tmp_path: Path) -> tuple[Sojourn, Member, dict[str, str]]:
    ids = seed_s1_organization(moto_endpoint)
    sojourn = Sojourn(moto_endpoint, f"sqlite:///{tmp_path / 'unused.db'}", tmp_path)
    member = Member(moto_endpoint, ids)
    for name in ids:
        member.role(name, "SojournReadOnly", trust({"AWS": "arn:aws:iam::123456789012:root"}))
    ec2 = trust({"Service": "ec2.amazonaws.com"})
    get = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    member.role(A, "reader", ec2, get)
    member.role(A, "idle", ec2, doc({"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"}))
    a_root = {"AWS": f"arn:aws:iam::{ids[A]}:root"}
    s3 = member.client(B, "s3")
    s3.create_bucket(Bucket=OPEN)
    s3.put_bucket_policy(Bucket=OPEN, Policy=doc(statement(a_root, "s3:GetObject", f"arn:aws:s3:::{OPEN}/*")))
    s3.create_bucket(Bucket=DENYING)
    s3.put_bucket_policy(
        Bucket=DENYING,
        Policy=doc(
            statement(a_root, "s3:GetObject", f"arn:aws:s3:::{DENYING}/*"),
            statement({"AWS": member.arn(A, "role", "reader")}, "s3:*", f"arn:aws:s3:::{DENYING}/*", "Deny"),
        ),
    )
    s3.create_bucket(Bucket="b-no-policy")
    s3.create_bucket(Bucket="b-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_policy(Bucket="b-eu", Policy=doc(statement(a_root, "s3:GetObject", "arn:aws:s3:::b-eu/*")))
    kms = member.client(B, "kms")
    kms.create_key(Policy=doc(statement("*", "kms:*", "*")))
    sqs = member.client(B, "sqs")
    sqs.create_queue(
        QueueName="orders",
        Attributes={
            "Policy": doc(statement({"Service": "sns.amazonaws.com"}, "sqs:SendMessage", "*")),
        },
    )
    member.client(B, "sns").create_topic(Name="events")
    secrets = member.client(B, "secretsmanager")
    secrets.create_secret(Name="db", SecretString="x")
    secrets.put_resource_policy(
        SecretId="db", ResourcePolicy=doc(statement(a_root, "secretsmanager:GetSecretValue", "*"))
    )
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return None\n")
    function_role = member.role(B, "fn", trust({"Service": "lambda.amazonaws.com"}))
    functions = member.client(B, "lambda")
    functions.create_function(
        FunctionName="nightly",
        Runtime="python3.12",
        Role=function_role,
        Handler="handler.handle",
        Code={"ZipFile": code.getvalue()},
    )
    functions.add_permission(
        FunctionName="nightly", StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com"
    )
    out = tmp_path / "snapshot.json"
    status, output = sojourn("snapshot", "--out", str(out))
    assert status == 0, output
    return sojourn, member, ids


def who_can(sojourn: Sojourn, action: str, resource: str, snapshot: Path) -> dict[str, list[str]]:
    status, output = sojourn("who-can", action, resource, "--snapshot", str(snapshot), "--json")
    assert status == 0, output
    return {a["principal"]: [h["to"] for h in a["hops"]] for a in json.loads(output[output.index("[") :])}


def test_the_snapshot_holds_every_kind_of_resource_policy_and_round_trips(
    org: tuple[Sojourn, Member, dict[str, str]],
) -> None:
    sojourn, _, ids = org
    raw = json.loads((sojourn.config / "snapshot.json").read_text())
    assert raw["format"] == "sojourn-snapshot/2"
    loaded = snapshot_from_json(raw)
    assert snapshot_to_json(loaded) == raw
    b = loaded.account(ids[B])
    assert b is not None
    by_service = {p.service: p for p in b.resource_policies}
    assert sorted(by_service) == ["kms", "lambda", "s3", "secretsmanager", "sns", "sqs"]
    assert {p.arn for p in b.resource_policies if p.service == "s3"} == {
        f"arn:aws:s3:::{OPEN}",
        f"arn:aws:s3:::{DENYING}",
        "arn:aws:s3:::b-eu",
    }
    assert all(p.account == ids[B] for p in b.resource_policies)
    assert by_service["sqs"].arn == f"arn:aws:sqs:us-east-1:{ids[B]}:orders"
    assert by_service["lambda"].document["Statement"][0]["Principal"] == {"Service": "s3.amazonaws.com"}
    assert by_service["kms"].document["Statement"][0]["Principal"] == "*"
    a = loaded.account(ids[A])
    assert a is not None and a.resource_policies == ()


def test_who_can_read_an_object_of_another_accounts_bucket(
    org: tuple[Sojourn, Member, dict[str, str]],
) -> None:
    sojourn, member, _ = org
    snapshot = sojourn.config / "snapshot.json"
    reader, idle = member.arn(A, "role", "reader"), member.arn(A, "role", "idle")
    answers = who_can(sojourn, "s3:GetObject", f"arn:aws:s3:::{OPEN}/2026/q3.csv", snapshot)
    assert answers[reader] == []
    assert idle not in answers
    assert reader not in who_can(sojourn, "s3:GetObject", f"arn:aws:s3:::{DENYING}/2026/q3.csv", snapshot)


def test_an_old_snapshot_still_loads_and_answers_without_resource_policies(
    org: tuple[Sojourn, Member, dict[str, str]],
) -> None:
    sojourn, member, _ = org
    raw = json.loads((sojourn.config / "snapshot.json").read_text())
    raw["format"] = "sojourn-snapshot/1"
    for account in raw["accounts"]:
        del account["resource_policies"]
    old = sojourn.config / "old.json"
    old.write_text(json.dumps(raw))
    answers = who_can(sojourn, "s3:GetObject", f"arn:aws:s3:::{OPEN}/x", old)
    # without the bucket policy a bucket ARN names no account: the old same-account answer
    assert member.arn(A, "role", "reader") in answers
    assert member.arn(A, "role", "reader") in who_can(
        sojourn, "s3:GetObject", f"arn:aws:s3:::{DENYING}/x", old
    )


def test_findings_on_the_key_policy_and_the_queue_policy(org: tuple[Sojourn, Member, dict[str, str]]) -> None:
    sojourn, _, ids = org
    status, output = sojourn(
        "findings", "--snapshot", str(sojourn.config / "snapshot.json"), "--format", "json"
    )
    assert status == 0, output
    rows = json.loads(output[output.index("[") :])
    wildcard = {r["source"] for r in rows if r["check"] == "resource-policy-wildcard-principal"}
    no_source = {r["source"] for r in rows if r["check"] == "service-principal-without-source"}
    assert {s.split("/")[0] for s in wildcard} == {f"arn:aws:kms:us-east-1:{ids[B]}:key"}
    assert f"arn:aws:sqs:us-east-1:{ids[B]}:orders" in no_source
    assert f"arn:aws:lambda:us-east-1:{ids[B]}:function:nightly" in no_source
    # the bucket policies name an account; SNS's default topic policy is narrowed by AWS:SourceOwner
    assert not any(r["source"].startswith(("arn:aws:s3:::", "arn:aws:sns:")) for r in rows), [
        r for r in rows if r["source"].startswith(("arn:aws:s3:::", "arn:aws:sns:"))
    ]


def test_what_cannot_be_read_is_named_in_the_notes_and_the_rest_is_kept(
    org: tuple[Sojourn, Member, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    sojourn, _, ids = org
    real = snapshot_reader.client_factory
    denied = FaultPlan(
        every=1, code="AccessDenied", status=403, only=frozenset({"GetKeyPolicy", "ListQueues"})
    )

    def faulty(settings: AwsSettings, credentials: Any = None) -> Any:
        make = real(settings, credentials)

        def client(name: str) -> Any:
            made = make(name)
            inject_faults([made], denied)
            made.meta.events.register("after-call.kms.ListAliases", remember_aws_keys)
            made.meta.events.register("after-call.kms.ListKeys", list_aws_keys)
            return made

        return client

    aws_keys: list[dict[str, str]] = []

    def remember_aws_keys(parsed: dict[str, Any], **_: Any) -> None:
        aws_keys[:] = [
            {
                "KeyId": a["TargetKeyId"],
                "KeyArn": a["AliasArn"].replace(a["AliasName"], f"key/{a['TargetKeyId']}"),
            }
            for a in parsed["Aliases"]
            if a["AliasName"].startswith("alias/aws/")
        ]

    def list_aws_keys(parsed: dict[str, Any], **_: Any) -> None:
        # AWS lists its managed keys beside the account's own; moto's ListKeys leaves them out
        parsed["Keys"] = parsed.get("Keys", []) + aws_keys

    monkeypatch.setattr(snapshot_reader, "client_factory", faulty)
    taken = snapshot_reader.take_snapshot(
        AwsSettings(endpoint_url=sojourn.endpoint), "SojournReadOnly", datetime(2026, 11, 1, tzinfo=UTC)
    )
    b = taken.account(ids[B])
    assert b is not None
    assert {p.service for p in b.resource_policies} == {"lambda", "s3", "secretsmanager", "sns"}
    assert any(
        n.startswith(f"SQS queue policies of {B} ({ids[B]}) not read: AccessDenied") for n in taken.notes
    )
    assert any(
        n.startswith(f"policy of arn:aws:kms:us-east-1:{ids[B]}:key/") and "AccessDenied" in n
        for n in taken.notes
    )
    assert aws_keys
    assert not any(k["KeyId"] in n for k in aws_keys for n in taken.notes)
    assert len(taken.accounts) == len(ids) + 1
