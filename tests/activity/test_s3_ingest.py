"""`sojourn activity ingest --from s3://bucket/prefix` on moto's S3: the same result as from a directory."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from typer.testing import CliRunner

from sojourn.cli.main import app
from tests.activity.trail_layout import lay_out_samples

BUCKET = "org-trail"


def test_ingest_from_s3_matches_the_local_ingest_and_is_incremental(
    moto_endpoint: str, tmp_path: Path
) -> None:
    trail = tmp_path / "trail"
    keys = lay_out_samples(trail)
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    for key in keys:
        s3.put_object(Bucket=BUCKET, Key=key, Body=(trail / key).read_bytes())
    s3.put_object(
        Bucket=BUCKET, Key="AWSLogs/o-exampleorg1/111111111111/CloudTrail-Digest/x.json.gz", Body=b"x"
    )
    runner = CliRunner()

    def ingest(source: str, database: Path) -> dict[str, object]:
        args = ["activity", "ingest", "--from", source, "--json", "--database-url", f"sqlite:///{database}"]
        result = runner.invoke(app, [*args, "--endpoint-url", moto_endpoint])
        assert "Traceback" not in result.output
        return json.loads(result.stdout)

    from_s3 = ingest(f"s3://{BUCKET}/AWSLogs/", tmp_path / "s3.db")
    local = ingest(str(trail), tmp_path / "local.db")
    assert from_s3["files"] == local["files"]
    assert from_s3["events"] == local["events"]
    assert from_s3["events"]["total"] == 17
    again = ingest(f"s3://{BUCKET}/AWSLogs/", tmp_path / "s3.db")
    assert again["files"]["ingested"] == 0 and again["files"]["already_ingested"] == 5
    used = runner.invoke(
        app,
        [
            "usage",
            "--principal",
            "arn:aws:iam::677301038893:role/account-admin",
            "--json",
            "--database-url",
            f"sqlite:///{tmp_path / 's3.db'}",
        ],
    )
    actions = {a["action"] for a in json.loads(used.stdout)["used"]}
    assert actions == {
        "cloudtrail:DeleteTrail",
        "ec2:ModifySnapshotAttribute",
        "secretsmanager:GetSecretValue",
    }


def test_a_missing_bucket_is_an_error_that_names_it(moto_endpoint: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "activity",
            "ingest",
            "--from",
            "s3://no-such-bucket/AWSLogs/",
            "--endpoint-url",
            moto_endpoint,
            "--database-url",
            f"sqlite:///{tmp_path / 's.db'}",
        ],
    )
    assert result.exit_code == 1
    assert "listing s3://no-such-bucket/AWSLogs/" in result.output
    assert "Traceback" not in result.output
