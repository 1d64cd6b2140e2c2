"""`sojourn usage` over ingested activity, for a principal and for a permission set of the configuration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sojourn.cli.main import app
from tests.activity.trail_layout import log_key, write_log
from tests.usage.samples import fixture_records

CONFIG = """\
permission_sets:
  - name: Developer
    description: Build and run
    session_duration: PT8H
    inline_policy:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: ["lambda:GetFunction", "lambda:ListFunctions", "secretsmanager:GetSecretValue"]
          Resource: "*"
  - name: ReadOnly
    description: Look
    session_duration: PT4H
    managed_policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
"""


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    root = tmp_path_factory.mktemp("usage")
    write_log(root / "trail", log_key("111122223333", "eu-west-1", "2026-11-02", "a"), fixture_records())
    (root / "access").mkdir()
    (root / "access" / "permission-sets.yaml").write_text(CONFIG)
    database = f"sqlite:///{root / 'sojourn.db'}"
    result = CliRunner().invoke(
        app, ["activity", "ingest", "--from", str(root / "trail"), "--database-url", database]
    )
    assert result.exit_code == 0, result.output
    return database, root / "access"


def _usage(database: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["usage", "--database-url", database, *args])
    return result.exit_code, result.output


def test_permission_set_usage_beside_its_inline_grants(ingested: tuple[str, Path]) -> None:
    database, config = ingested
    code, output = _usage(database, "--permission-set", "Developer", "-c", str(config), "--json")
    assert code == 0, output
    document = json.loads(output)
    used = {a["action"]: a for a in document["used"]}
    assert set(used) == {"lambda:GetFunction", "cloudwatch:GetMetricData", "secretsmanager:GetSecretValue"}
    assert used["lambda:GetFunction"]["sessions"] == ["bob@example.com"]
    assert used["lambda:GetFunction"]["granted"] is True
    assert used["cloudwatch:GetMetricData"]["granted"] is False
    read = next(level for level in document["access_levels"] if level["level"] == "Read")
    assert (read["granted"], read["used"], read["unused"]) == (2, 3, 0)


def test_a_principal_shows_its_resources_and_the_denied_call(ingested: tuple[str, Path]) -> None:
    database, _ = ingested
    code, output = _usage(database, "--principal", "arn:aws:iam::111122223333:user/alice", "--json")
    assert code == 0, output
    document = json.loads(output)
    assert [(a["action"], a["resources"]) for a in document["used"]] == [
        ("s3:GetObject", ["arn:aws:s3:::team-reports/*"]),
        ("s3:ListBucket", ["arn:aws:s3:::team-reports"]),
    ]
    assert [a["action"] for a in document["denied"]] == ["iam:CreateUser"]


def test_a_window_of_days_leaves_out_older_use(ingested: tuple[str, Path]) -> None:
    database, _ = ingested
    code, output = _usage(
        database, "--principal", "arn:aws:iam::111122223333:user/alice", "--days", "7", "--json"
    )
    assert code == 0
    assert json.loads(output)["used"] == []


def test_managed_policies_make_grants_unknown_and_say_so(ingested: tuple[str, Path]) -> None:
    database, config = ingested
    code, output = _usage(database, "--permission-set", "ReadOnly", "-c", str(config))
    assert code == 0, output
    assert "No activity of permission set ReadOnly" in output
    assert "arn:aws:iam::aws:policy/ReadOnlyAccess" in output


def test_an_unknown_permission_set_or_missing_choice_is_an_error_without_traceback(
    ingested: tuple[str, Path],
) -> None:
    database, config = ingested
    code, output = _usage(database, "--permission-set", "Nope", "-c", str(config))
    assert code == 1
    assert "no permission set named 'Nope'" in output and "Developer, ReadOnly" in output
    code, output = _usage(database)
    assert code == 1 and "exactly one of" in output
