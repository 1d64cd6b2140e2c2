"""Issue 14, defect 2, audited over the whole CLI: every command, run where nothing works (no AWS
credentials, an endpoint nobody answers, a database of a newer schema, files that do not exist), ends
with a message and a hint, never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from sojourn.cli.main import app
from tests.cli.test_failures import CONFIG, NO_AWS, closed_port

NOT_RUN = {("demo",): "brings its own moto server and database; tests/demo runs it"}
MISSING = "/nonexistent/sojourn"


def every_command() -> set[tuple[str, ...]]:
    def walk(command: object, prefix: tuple[str, ...]) -> set[tuple[str, ...]]:
        children = getattr(command, "commands", None)
        if children is None:
            return {prefix}
        return set().union(*(walk(sub, (*prefix, name)) for name, sub in children.items()))

    return walk(typer.main.get_command(app), ())


def arguments(tmp: Path) -> dict[tuple[str, ...], list[str]]:
    config = ["-c", str(CONFIG)]
    window = ["--since", "2026-01-01T00:00:00+00:00", "--until", "2026-02-01T00:00:00+00:00"]
    return {
        ("version",): [],
        ("activity", "ingest"): ["--from", MISSING],
        ("activity", "status"): [],
        ("usage",): ["--permission-set", "prod-admin", *config],
        ("hygiene",): [],
        ("keys", "rotate"): ["--user", "ci", "--secret", "prod/ci-key", "--grace-days", "0"],
        ("keys", "status"): [],
        ("right-size",): ["--permission-set", "prod-admin", "--days", "30", *config],
        ("plan",): config,
        ("apply",): ["--reason", "r", "--yes", *config],
        ("drift",): config,
        ("import",): ["--out", str(tmp / "imported")],
        ("snapshot",): ["--out", str(tmp / "snapshot.json")],
        ("who-can",): ["sts:AssumeRole", "arn:aws:iam::111111111111:role/x", "-s", MISSING],
        ("paths",): ["--to", "admin", "-s", MISSING],
        ("findings",): ["-s", MISSING],
        ("serve",): ["--port", "0", *config],
        ("token", "create"): ["--name", "ci", "--role", "admin", "--scope", "audit:read"],
        ("token", "list"): [],
        ("token", "revoke"): ["tok-missing", "--reason", "r"],
        ("request",): ["prod-admin", "-a", "team-a-prod", "--for", "1h", "--as", "alice", *config],
        ("approve",): ["req-1", "--as", "erin", *config],
        ("deny",): ["req-1", "--as", "erin", *config],
        ("cancel",): ["req-1", "--as", "alice", *config],
        ("revoke",): ["req-1", "--reason", "x", "--as", "erin", *config],
        ("extend",): ["req-1", "--by", "1h", "--as", "erin", *config],
        ("requests",): config,
        ("eligible",): ["--as", "alice", *config],
        ("worker",): ["--once", *config],
        ("review", "start"): ["--name", "q4", "--as", "carol", *config],
        ("review", "list"): [],
        ("review", "show"): ["rv-missing", *config],
        ("review", "decide"): ["rv-missing", "i000001", "--certify", "--as", "bob", *config],
        ("review", "remind"): [*config],
        ("review", "close"): ["rv-missing", "--as", "carol", *config],
        ("review", "export"): ["rv-missing", *config],
        ("audit", "verify"): [],
        ("audit", "checkpoint"): [],
        ("audit", "keygen"): ["--key-file", str(tmp / "audit-key.pem")],
        ("audit", "show"): [],
        ("audit", "export"): [],
        ("audit", "held"): ["--permission-set", "prod-admin", "--account", "111111111111", *window],
        ("policy", "validate"): [MISSING],
        ("policy", "expand"): [MISSING],
        ("policy", "analyse"): [MISSING],
        ("policy", "simulate"): ["--action", "s3:GetObject", "--resource", "*", "--principal", "anonymous",
                                 "--policy", MISSING],
    }  # fmt: skip


def test_the_audit_covers_every_command(tmp_path: Path) -> None:
    assert every_command() - set(NOT_RUN) == set(arguments(tmp_path))


def newer_schema_database(tmp: Path) -> str:
    url = f"sqlite:///{tmp / 'newer.db'}"
    assert CliRunner().invoke(app, ["audit", "verify"], env={"SOJOURN_DATABASE_URL": url}).exit_code == 0
    with sqlite3.connect(tmp / "newer.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_newer'")
    return url


@pytest.mark.parametrize("where", ["no AWS at all", "a database of a newer schema"])
def test_no_command_shows_a_traceback(where: str, tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}"
    if where == "no AWS at all":
        env = NO_AWS | {"SOJOURN_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    else:
        env = {"SOJOURN_DATABASE_URL": newer_schema_database(tmp_path)}
    env |= {"SOJOURN_AWS_ENDPOINT_URL": endpoint, "SOJOURN_ACTOR": "ops", "COLUMNS": "200"}
    failed_cleanly = []
    for command, args in sorted(arguments(tmp_path).items()):
        result = CliRunner().invoke(app, [*command, *args], env=env)
        shown = " ".join(command)
        assert result.exception is None or isinstance(result.exception, SystemExit), (shown, result.exception)
        assert "Traceback" not in result.output, (shown, result.output)
        if result.exit_code != 0:
            assert "error" in result.output.lower() or "refused" in result.output, (shown, result.output)
            failed_cleanly.append(shown)
    assert {"plan", "apply", "drift", "import", "eligible", "worker", "serve"} <= set(failed_cleanly)
