"""Issue 14's rough edges of the CLI, each through the real CLI against moto (S1's organisation)."""

from __future__ import annotations

import json
import os
import pty
import pwd
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

from rich.table import Table

from sojourn.cli.consoles import FittingConsole
from sojourn.settings import Settings
from tests.e2e.conftest import AwsView, Sojourn
from tests.e2e.jit_fixtures import Jit, jit  # noqa: F401  (jit is a fixture)
from tests.e2e.test_s5_drift_and_safety import _hand_made_assignment

ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def test_apply_config_asks_first_refuses_without_a_terminal_and_yes_applies(
    s1: tuple[Sojourn, AwsView],
) -> None:
    sojourn, aws = s1
    code, output = sojourn("apply", "--config", str(sojourn.config), "--reason", "onboarding")
    assert code == 1
    assert "no terminal to ask on" in output and "pass --yes" in output
    assert aws.all_assignments() == []
    code, output = sojourn("apply", "--yes", "--config", str(sojourn.config), "--reason", "onboarding")
    assert code == 0, output
    assert aws.access_of("alice")


def test_apply_progress_and_the_plan_name_accounts_beside_their_ids(s1: tuple[Sojourn, AwsView]) -> None:
    sojourn, aws = s1
    code, output = sojourn("apply", "--yes", "--config", str(sojourn.config), "--reason", "onboarding")
    assert code == 0, output
    assert f"on team-a-dev ({aws.accounts['team-a-dev']})" in output


def test_a_permission_set_update_shows_its_policy_diff_on_screen(s1: tuple[Sojourn, AwsView]) -> None:
    sojourn, _ = s1
    assert sojourn("apply", "--yes", "--config", str(sojourn.config), "--reason", "baseline")[0] == 0
    path = sojourn.config / "permission-sets.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"iam:CreateLoginProfile"]', '"iam:CreateLoginProfile", "iam:DeleteRole"]'))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("session_duration: PT8H", "session_duration: PT2H", 1))
    code, output = sojourn("plan", "--config", str(sojourn.config))
    assert code == 2, output
    assert "~ update permission set developer" in output
    assert '+           "iam:DeleteRole"' in output, output
    assert "- session duration: PT8H" in output and "+ session duration: PT2H" in output


def test_json_on_drift_import_and_audit_show(s1: tuple[Sojourn, AwsView], tmp_path: Path) -> None:
    sojourn, aws = s1
    assert sojourn("apply", "--yes", "--config", str(sojourn.config), "--reason", "baseline")[0] == 0
    code, output = sojourn("drift", "--config", str(sojourn.config), "--json")
    assert code == 0 and json.loads(output) == {"drift": []}
    _hand_made_assignment(aws, "team-a-prod", "developer")
    code, output = sojourn("drift", "--config", str(sojourn.config), "--json")
    (item,) = json.loads(output)["drift"]
    assert code == 2 and "developer for user mallory" in item["description"]
    code, output = sojourn("audit", "show", "--json", "--action", "assignment.*")
    records = json.loads(output)
    assert code == 0 and records and {r["user"]["name"] for r in records} == {"e2e-admin"}
    code, output = sojourn("import", "--out", str(tmp_path / "imported"), "--json")
    imported = json.loads(output)
    assert code == 0 and imported["users"] == 6  # the five people and mallory and imported["assignments"] > 0


def test_eligible_and_requests_name_accounts_and_speak_json(jit: Jit) -> None:  # noqa: F811
    config = str(jit.sojourn.config)
    prod = jit.aws.accounts["team-a-prod"]
    code, output = jit.sojourn("eligible", "--as", "alice", "--config", config, "--json")
    assert code == 0, output
    rules = {row["rule"]: row for row in json.loads(output)}
    assert {"id": prod, "name": "team-a-prod"} in rules["team-a-prod-admin"]["accounts"]
    code, output = jit.sojourn(
        "request", "prod-admin", "-a", "team-a-prod", "--for", "1h", "--reason", "INC-1 db",
        "--ticket", "INC-1", "--as", "alice", "--config", config,
    )  # fmt: skip
    assert code == 0, output
    assert f"on team-a-prod ({prod})" in output
    code, output = jit.sojourn("requests", "--config", config)
    assert code == 0 and "team-a-prod" in output and prod in output  # a narrow table may wrap the cell


def test_tables_without_a_terminal_are_not_cut_at_80_columns() -> None:
    out = StringIO()
    table = Table()
    for column in ("id", "person", "permission set", "accounts", "state", "ends"):
        table.add_column(column)
    accounts = "team-a-prod (727770815423), team-b-prod (782841411167)"
    table.add_row("r-0123456789abcdef", "alice", "prod-admin", accounts, "active", "2026-12-04 10:00")
    FittingConsole(file=out, soft_wrap=True, _environ={}).print(table)
    assert accounts in out.getvalue() and "…" not in out.getvalue()


def test_a_console_made_at_import_follows_columns_set_later() -> None:
    environment = {"COLUMNS": "80"}
    console = FittingConsole(file=StringIO(), soft_wrap=True, _environ=environment)
    assert console.width == 80
    environment["COLUMNS"] = "200"
    assert console.width == 200


def test_the_audit_actor_falls_back_to_the_operating_system_user() -> None:
    assert Settings.from_environment({}).actor == pwd.getpwuid(os.getuid()).pw_name
    assert Settings.from_environment({"SOJOURN_ACTOR": "alice", "USER": "root"}).actor == "alice"


def test_findings_out_writes_the_report_to_a_file(s1: tuple[Sojourn, AwsView], tmp_path: Path) -> None:
    sojourn, _ = s1
    details = {
        "RoleDetailList": [
            {
                "Arn": "arn:aws:iam::111122223333:role/open",
                "RoleName": "open",
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
                },
                "RolePolicyList": [{"PolicyName": "all", "PolicyDocument": ADMIN}],
            }
        ]
    }
    (tmp_path / "details.json").write_text(json.dumps(details))
    snapshot = tmp_path / "snapshot.json"
    code, output = sojourn(
        "snapshot", "--from-authorization-details", str(tmp_path / "details.json"), "--out", str(snapshot)
    )
    assert code == 0, output
    report = tmp_path / "findings.sarif"
    code, output = sojourn("findings", "-s", str(snapshot), "--format", "sarif", "--out", str(report))
    assert code == 0, output
    assert f"to {report}" in output and '"$schema"' not in output
    assert json.loads(report.read_text())["runs"][0]["results"]


def test_a_bare_group_name_says_what_to_write(s1: tuple[Sojourn, AwsView]) -> None:
    sojourn, _ = s1
    sojourn.write("groups.yaml", "groups:\n  - platform-admins\n")
    code, output = sojourn("plan", "--config", str(sojourn.config))
    assert code == 1
    assert "a group is a mapping, not a bare name: write `- {name: platform-admins}`" in output
    assert "Input should be a valid dictionary" not in output


def test_serve_prints_where_it_listens(s1: tuple[Sojourn, AwsView], tmp_path: Path) -> None:
    sojourn, _ = s1
    env = os.environ | {
        "SOJOURN_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "SOJOURN_AWS_ENDPOINT_URL": sojourn.endpoint,
    }
    command = "from sojourn.cli.main import app; app()"
    serving = subprocess.Popen(
        [sys.executable, "-c", command, "serve", "--port", "0", "--config", str(sojourn.config)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert serving.stdout is not None
        first = serving.stdout.readline()
        assert first.startswith("Sojourn listens on http://127.0.0.1:"), first + serving.stderr.read()
        url = first.split()[3]
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/health", timeout=5) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
    finally:
        serving.terminate()
        serving.wait(timeout=30)


def _apply_on_a_terminal(sojourn: Sojourn, answer: str) -> tuple[int, str]:
    """`sojourn apply --config` with a pseudo-terminal as stdin and stdout, answering its question."""
    env = os.environ | {
        "SOJOURN_DATABASE_URL": sojourn.database_url,
        "SOJOURN_AWS_ENDPOINT_URL": sojourn.endpoint,
        "SOJOURN_ACTOR": "e2e-admin",
        "COLUMNS": "200",
    }
    primary, secondary = pty.openpty()
    command = "from sojourn.cli.main import app; app()"
    applying = subprocess.Popen(
        [sys.executable, "-c", command, "apply", "--config", str(sojourn.config), "--reason", "tty"],
        env=env,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
    )
    os.close(secondary)
    seen = b""
    answered = False
    try:
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the process ended and closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            if not answered and b"Apply these changes?" in seen:
                os.write(primary, answer.encode() + b"\n")
                answered = True
        return applying.wait(timeout=120), seen.decode(errors="replace")
    finally:
        os.close(primary)
        if applying.poll() is None:
            applying.kill()
            applying.wait()


def test_apply_config_on_a_terminal_asks_and_no_applies_nothing(s1: tuple[Sojourn, AwsView]) -> None:
    sojourn, aws = s1
    code, output = _apply_on_a_terminal(sojourn, "n")
    assert code == 1, output
    assert "Apply these changes? [y/N]" in output and "Nothing applied." in output
    assert aws.all_assignments() == []
    code, output = _apply_on_a_terminal(sojourn, "y")
    assert code == 0, output
    assert aws.access_of("alice")
