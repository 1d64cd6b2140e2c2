"""Hostile input through the real CLI: one error per bad file, the others still reported, no traceback,
and long data printed without the terminal highlighter's quadratic time."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from sojourn.cli.jit_cmd import _duration
from sojourn.cli.main import app

POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}


def run(*args: str) -> tuple[int, str, float]:
    started = time.monotonic()
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output, time.monotonic() - started


def test_validate_reports_each_hostile_file_and_still_the_good_one(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text("[" * 5000 + "]" * 5000)
    (tmp_path / "number.json").write_text('{"Version": ' + "9" * 5000 + "}")
    (tmp_path / "latin.json").write_bytes(b'{"Version": "\xe9"}')
    (tmp_path / "good.json").write_text(json.dumps(POLICY))
    files = [str(tmp_path / name) for name in ("deep.json", "number.json", "latin.json", "good.json")]
    code, output, seconds = run("policy", "validate", *files, "--format", "json")
    assert code == 1 and seconds < 5
    by_file: dict[str, list[str]] = {}
    for row in json.loads(output):
        by_file.setdefault(Path(row["file"]).name, []).append(row["code"])
    assert by_file == {
        "deep.json": ["too-deep"],
        "number.json": ["long-number"],
        "latin.json": ["unreadable-file"],
    }


def test_a_40000_character_simulate_result_prints_at_once(tmp_path: Path) -> None:
    """rich's highlighter took 27 s of CPU here (quadratic on '<' and '.'); data is not highlighted."""
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps(POLICY))
    resource = "arn:aws:s3:::bucket/" + "<a." * 13_400
    code, output, seconds = run(
        "policy", "simulate", "--action", "s3:PutObject", "--resource", resource,
        "--principal", "arn:aws:iam::111111111111:role/r", "--policy", str(policy),
    )  # fmt: skip
    assert code == 1 and len(output) > 40_000
    assert seconds < 5


def test_an_impossible_day_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    code, output, _ = run("plan", "--config", str(tmp_path), "--today", "2026-02-30")
    assert code == 2 and "is not a real day; write it as YYYY-MM-DD" in output


def test_configuration_text_that_looks_like_markup_is_printed_as_it_is(tmp_path: Path) -> None:
    config = tmp_path / "a.yaml"
    config.write_text("people: [{user_name: alice}]\nteams:\n  - {name: ops, members: ['[/red]']}\n")
    code, output, _ = run("plan", "--config", str(config))
    assert code == 1 and "unknown person '[/red]'" in output


def test_a_cli_duration_past_the_bound_is_a_bad_parameter() -> None:
    with pytest.raises(typer.BadParameter, match="longer than 3660d"):
        _duration("99999999999999d")


def test_an_impossible_audit_time_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'audit.db'}"
    code, output, _ = run("audit", "export", "--since", "2026-13-45", "--database-url", database)
    assert code == 2 and "'2026-13-45' is not a real time" in output
