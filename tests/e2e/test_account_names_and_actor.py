"""Issue 14's leftovers through the real CLI against moto: account names beside ids wherever a person
reads them (audit show, import, notifications, request answers), and an audit actor that is never empty."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sojourn.cli.main import app
from tests.e2e.conftest import AwsView, Sojourn
from tests.e2e.jit_fixtures import Jit, jit  # noqa: F401  (jit is a fixture)
from tests.notify.receivers import Receiver, receiver  # noqa: F401  (receiver is a fixture)


def _run(sojourn: Sojourn, *args: str, **env: str) -> tuple[int, str]:
    base = {
        "SOJOURN_DATABASE_URL": sojourn.database_url,
        "SOJOURN_AWS_ENDPOINT_URL": sojourn.endpoint,
        "SOJOURN_AUDIT_CHECKPOINT_DIR": str(sojourn.config.parent / "audit-checkpoints"),
        "SOJOURN_AUDIT_KEY_FILE": str(sojourn.config.parent / "audit-key.pem"),
        "COLUMNS": "250",
    }
    result = CliRunner().invoke(app, list(args), env=base | env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_with_no_actor_and_no_os_user_the_aws_caller_is_recorded(
    s1: tuple[Sojourn, AwsView], monkeypatch: pytest.MonkeyPatch
) -> None:
    sojourn, _ = s1
    monkeypatch.setattr("sojourn.settings.operating_system_user", lambda: "")  # a uid without a passwd entry
    nobody = {"SOJOURN_ACTOR": "", "USER": "", "LOGNAME": ""}
    code, output = _run(sojourn, "apply", "--yes", "--config", str(sojourn.config), "--reason", "r", **nobody)
    assert code == 0, output
    code, output = _run(sojourn, "audit", "show", "--json", "--action", "apply.*")
    actors = {r["user"]["name"] for r in json.loads(output)}
    assert len(actors) == 1 and actors.pop().startswith("arn:aws:"), output  # sts get-caller-identity


def test_with_no_actor_and_no_aws_answer_apply_refuses(
    s1: tuple[Sojourn, AwsView], monkeypatch: pytest.MonkeyPatch
) -> None:
    sojourn, _ = s1
    monkeypatch.setattr("sojourn.settings.operating_system_user", lambda: "")
    nobody = {
        "SOJOURN_ACTOR": "",
        "USER": "",
        "LOGNAME": "",
        "SOJOURN_AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    }
    code, output = _run(sojourn, "apply", "--yes", "--config", str(sojourn.config), "--reason", "r", **nobody)
    assert code == 1 and "nobody to record as the actor" in output


def test_audit_show_names_accounts_in_a_column_in_the_target_and_in_json(s1: tuple[Sojourn, AwsView]) -> None:
    sojourn, aws = s1
    assert sojourn("apply", "--yes", "--config", str(sojourn.config), "--reason", "baseline")[0] == 0
    dev = aws.accounts["team-a-dev"]
    code, output = sojourn("audit", "show", "--action", "assignment.create", "--account", dev)
    assert code == 0 and f"team-a-dev ({dev})" in output
    assert f"on team-a-dev ({dev})" in " ".join(output.split())  # the target's text, however wrapped
    code, output = sojourn("audit", "show", "--json", "--action", "assignment.create", "--account", dev)
    assert {r["cloud"]["account"]["name"] for r in json.loads(output)} == {"team-a-dev"}
    code, output = sojourn("audit", "show", "--no-name-accounts", "--action", "assignment.create")
    assert code == 0 and "team-a-dev (" not in output


def test_import_selects_accounts_by_name_and_plans_empty(s1: tuple[Sojourn, AwsView], tmp_path: Path) -> None:
    sojourn, aws = s1
    assert sojourn("apply", "--yes", "--config", str(sojourn.config), "--reason", "baseline")[0] == 0
    out = tmp_path / "imported"
    assert sojourn("import", "--out", str(out))[0] == 0
    rules = (out / "rules.yaml").read_text()
    assert "names:" in rules and "team-a-dev" in rules and aws.accounts["team-a-dev"] not in rules
    code, output = sojourn("plan", "--config", str(out))
    assert code == 0, output


def test_notifications_name_the_accounts(jit: Jit, receiver: tuple[Receiver, str]) -> None:  # noqa: F811
    state, url = receiver
    jit.service.request(
        "alice", "prod-admin", ("team-a-prod",), timedelta(minutes=15), "outage", break_glass=True
    )
    code, output = _run(
        jit.sojourn,
        "worker",
        "--once",
        "--config",
        str(jit.sojourn.config),
        SOJOURN_WEBHOOK_URL=url,
        SOJOURN_WEBHOOK_SECRET="s3cret",
    )
    assert code == 0, output
    assert state.arrived.wait(5)
    glass = next(json.loads(b) for _, b in state.bodies if json.loads(b)["event"] == "break_glass")
    prod = jit.aws.accounts["team-a-prod"]
    assert f"on team-a-prod ({prod})" in glass["text"]
    assert glass["request"]["account_names"] == {prod: "team-a-prod"}


def test_revoke_and_cancel_answers_name_the_accounts(jit: Jit) -> None:  # noqa: F811
    config = str(jit.sojourn.config)
    prod = jit.aws.accounts["team-a-prod"]
    made = jit.service.request("alice", "prod-admin", ("team-a-prod",), timedelta(hours=1), "x", "INC-1")
    code, output = _run(jit.sojourn, "cancel", made.id, "--as", "alice", "--config", config)
    assert code == 0 and f"team-a-prod ({prod})" in output, output


def test_plan_names_every_problem_of_a_configuration_in_one_run(s1: tuple[Sojourn, AwsView]) -> None:
    sojourn, _ = s1
    sojourn.write(
        "broken.yaml",
        "people:\n  - {user_name: zoe, display_nam: typo}\n"
        "rules:\n  - {name: r, who: {people: [alice]}, where: {names: [nope]}, what: [missing]}\n",
    )
    code, output = sojourn("plan", "--config", str(sojourn.config))
    assert code == 1
    assert "unknown field" in output
    assert "unknown permission set 'missing'" in output
    assert "unknown account name 'nope'" in output
