"""S4.1 and S4.2 against the moto-seeded S1 organisation: a broken policy in the configuration is refused
with its place and a hint before AWS is touched; s3:* on * is reported with its access levels, both for a
policy read back from IAM and for a permission set in the plan."""

from __future__ import annotations

import json
from pathlib import Path

import boto3

from sojourn.catalog import ACCESS_LEVELS, load_catalog
from tests.e2e.conftest import AwsView, Sojourn

BROKEN = """permission_sets:
  - name: broken-reader
    description: Reads reports
    inline_policy: '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",}]}'
rules:
  - {name: team-a-broken, who: {teams: [team-a]}, where: {own: true}, what: [broken-reader]}
"""
NO_EFFECT = """permission_sets:
  - name: broken-reader
    description: Reads reports
    inline_policy:
      Version: "2012-10-17"
      Statement:
        - {Action: "s3:GetObject", Resource: "*"}
rules:
  - {name: team-a-broken, who: {teams: [team-a]}, where: {own: true}, what: [broken-reader]}
"""
S3_STAR = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
S3_ADMIN = """permission_sets:
  - name: storage-admin
    description: Everything in S3
    inline_policy:
      Version: "2012-10-17"
      Statement:
        - {Effect: Allow, Action: "s3:*", Resource: "*"}
rules:
  - {name: team-a-storage, who: {teams: [team-a]}, where: {own: true}, what: [storage-admin]}
"""


def test_s4_1_a_broken_inline_policy_is_refused_with_its_place_and_a_hint(
    s1: tuple[Sojourn, AwsView],
) -> None:
    sojourn, aws = s1
    before = aws.permission_sets()
    for text, where, hint in (
        (BROKEN, "broken.yaml:4:5", "not valid JSON"),
        (NO_EFFECT, "broken.yaml:", 'Effect must be "Allow" or "Deny"'),
    ):
        sojourn.write("broken.yaml", text)
        code, output = sojourn("plan", "--config", str(sojourn.config))
        assert code == 1, output
        assert where in output and "inline_policy" in output and hint in output
        code, output = sojourn("apply", "--yes", "--config", str(sojourn.config), "--reason", "try it")
        assert code == 1, output
        assert aws.permission_sets() == before  # nothing was created in AWS


def test_s4_2_s3_star_read_back_from_iam_is_reported_with_access_levels(
    s1: tuple[Sojourn, AwsView], tmp_path: Path
) -> None:
    sojourn, _ = s1
    iam = boto3.client("iam", endpoint_url=sojourn.endpoint, region_name="us-east-1")
    arn = iam.create_policy(PolicyName="storage-all", PolicyDocument=json.dumps(S3_STAR))["Policy"]["Arn"]
    answer = iam.get_policy_version(PolicyArn=arn, VersionId="v1")
    exported = tmp_path / "storage-all.json"
    exported.write_text(json.dumps(answer, default=str))  # what `aws iam get-policy-version` prints
    code, output = sojourn("policy", "analyse", str(exported), "--format", "json")
    assert code == 0, output
    (report,) = json.loads(output)
    service = load_catalog().service("s3")
    assert service is not None
    expected = dict.fromkeys(ACCESS_LEVELS, 0)
    for info in service.actions.values():
        expected[info.access_level] += 1
    assert report["profile"] == expected and all(count > 0 for count in expected.values())
    risky = {f["check"]: f["detail"] for f in report["findings"]}
    assert (
        "s3:PutBucketPolicy" in risky["risk-resource-exposure"] or "more" in risky["risk-resource-exposure"]
    )
    assert "risk-data-exfiltration" in risky


def test_s4_2_a_permission_set_gaining_s3_star_is_flagged_in_the_plan(s1: tuple[Sojourn, AwsView]) -> None:
    sojourn, aws = s1
    code, output = sojourn("apply", "--yes", "--config", str(sojourn.config), "--reason", "baseline")
    assert code == 0, output
    sojourn.write("storage.yaml", S3_ADMIN)
    code, output = sojourn("plan", "--config", str(sojourn.config), "--json")
    assert code == 2, output
    checks = {
        f["check"] for f in json.loads(output)["findings"] if f["where"] == "permission set storage-admin"
    }
    assert {"risk-resource-exposure", "risk-data-exfiltration", "risk-infrastructure-modification"} <= checks
    assert "storage-admin" not in aws.permission_sets()
