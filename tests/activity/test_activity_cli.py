"""`sojourn activity ingest --from DIR` and `sojourn activity status` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sojourn.cli.main import app
from tests.activity.trail_layout import lay_out_samples


def test_ingest_reports_counts_and_the_rejected_file_then_skips_everything(tmp_path: Path) -> None:
    trail = tmp_path / "trail"
    lay_out_samples(trail)
    database = f"sqlite:///{tmp_path / 'sojourn.db'}"
    runner = CliRunner()
    first = runner.invoke(
        app, ["activity", "ingest", "--from", str(trail), "--database-url", database, "--json"]
    )
    assert first.exit_code == 1, first.output
    document = json.loads(first.stdout)
    assert document["files"]["ingested"] == 5
    assert [r["key"].rsplit("/", 1)[-1] for r in document["files"]["rejected"]] == [
        "aws.execution.ec2-user-data.json.gz"
    ]
    assert document["events"]["total"] == 17
    assert "Traceback" not in first.output
    again = runner.invoke(app, ["activity", "ingest", "--from", str(trail), "--database-url", database])
    assert "0 files ingested, 5 already ingested, 1 rejected" in again.stdout
    status = runner.invoke(app, ["activity", "status", "--database-url", database])
    assert status.exit_code == 0
    assert "AWSLogs/o-exampleorg1/677301038893/CloudTrail/us-east-1/  3 files" in status.stdout


def test_ingest_from_a_missing_directory_says_what_to_give(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "activity",
            "ingest",
            "--from",
            str(tmp_path / "nope"),
            "--database-url",
            f"sqlite:///{tmp_path}/s.db",
        ],
    )
    assert result.exit_code == 1
    assert "is not a directory" in result.output
