"""`sojourn policy analyse` through the real CLI: every output format, exit codes, folders of files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sojourn.cli.main import app

ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
SCOPED = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:getobject"], "Resource": "arn:aws:s3:::reports/*"}
    ],
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def folder(tmp: Path) -> Path:
    (tmp / "admin.json").write_text(json.dumps({"PolicyVersion": {"Document": ADMIN}}))
    (tmp / "scoped.json").write_text(json.dumps(SCOPED, indent=2))
    (tmp / "notes.txt").write_text("not a policy")
    return tmp


def test_json_reports_each_file_with_profile_risks_and_paths(tmp_path: Path) -> None:
    code, output = run("policy", "analyse", str(folder(tmp_path)), "--format", "json")
    assert code == 0
    reports = {Path(r["file"]).name: r for r in json.loads(output)}
    assert set(reports) == {"admin.json", "scoped.json"}
    admin, scoped = reports["admin.json"], reports["scoped.json"]
    assert admin["worst"] == "high" and len(admin["escalations"]) == 5
    assert all(count > 0 for count in admin["risks"].values())
    assert scoped["escalations"] == [] and set(scoped["risks"].values()) == {0}
    assert scoped["profile"]["Read"] == 1
    redundant = [f for f in scoped["findings"] if f["check"] == "redundant-action"]
    assert redundant and redundant[0]["line"] == 4 and "listed twice" in redundant[0]["detail"]


def test_fail_on_and_errors_set_the_exit_code(tmp_path: Path) -> None:
    code, _ = run("policy", "analyse", str(folder(tmp_path)), "--fail-on", "high")
    assert code == 2
    code, _ = run("policy", "analyse", str(tmp_path / "scoped.json"), "--fail-on", "high")
    assert code == 0
    broken = tmp_path / "broken.json"
    broken.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjct"}]}'
    )
    code, output = run("policy", "analyse", str(broken))
    assert code == 1
    assert "did you mean s3:GetObject" in output and "worst" in output


def test_sarif_holds_issues_and_findings_with_valid_rule_indexes(tmp_path: Path) -> None:
    (tmp_path / "typo.json").write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObjct", "Resource": "*"}],
            }
        )
    )
    code, output = run("policy", "analyse", str(folder(tmp_path)), "--format", "sarif")
    assert code == 1
    document = json.loads(output)
    assert document["version"] == "2.1.0"
    run_ = document["runs"][0]
    rules = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    assert "unknown-action" in rules and "privilege-escalation-path" in rules
    for result in run_["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]


def test_html_is_one_self_contained_page(tmp_path: Path) -> None:
    code, output = run("policy", "analyse", str(folder(tmp_path)), "--format", "html")
    assert code == 0
    assert output.startswith("<!DOCTYPE html>") and "privilege-escalation-path" in output
    assert "<script" not in output and "src=" not in output and "href=" not in output


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    code, output = run("policy", "analyse", str(tmp_path / "nope.json"))
    assert code == 2 and "nope.json" in output


def test_an_unreadable_file_is_an_error_of_that_file_and_the_rest_is_analysed(tmp_path: Path) -> None:
    folder(tmp_path)
    (tmp_path / "latin1.json").write_bytes(b'{"Version": "2012-10-17", "Sid": "caf\xe9"}')
    code, output = run("policy", "analyse", str(tmp_path), "--format", "json")
    assert code == 1
    reports = {Path(r["file"]).name: r for r in json.loads(output)}
    assert set(reports) == {"admin.json", "latin1.json", "scoped.json"}
    assert reports["latin1.json"]["issues"][0]["code"] == "unreadable-file"
    assert "not UTF-8" in reports["latin1.json"]["issues"][0]["message"]
    assert len(reports["admin.json"]["escalations"]) == 5


def test_file_names_are_printed_as_text_not_markup(tmp_path: Path) -> None:
    odd = tmp_path / "a[/b]"
    odd.mkdir(parents=True)
    (odd / "[red]p.json").write_text(json.dumps(SCOPED))
    code, output = run("policy", "analyse", str(odd))
    assert code == 0 and "[red]p.json" in output
