"""`sojourn policy` validate / simulate / expand through the real CLI (S4.1, S4.2)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sojourn.cli.main import app

S3_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def write(tmp: Path, name: str, document: object | str) -> str:
    path = tmp / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return str(path)


def test_s4_1_grammar_error_is_rejected_with_place_and_hint(tmp_path: Path) -> None:
    broken = write(
        tmp_path,
        "broken.json",
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",'
        ' "Action": "s3:GetObject" "Resource": "*"}\n  ]\n}',
    )
    code, output = run("policy", "validate", broken)
    assert code == 1
    assert f"{broken}:4:50: invalid JSON: expected ',' or '}}', found '\"Resource\"'" in output
    typo = write(
        tmp_path,
        "typo.json",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObjcet", "Resource": "*"}],
        },
    )
    code, output = run("policy", "validate", typo)
    assert code == 1 and "unknown action 's3:GetObjcet' (did you mean s3:GetObject?)" in output
    clean = write(tmp_path, "clean.json", S3_ALL)
    assert run("policy", "validate", clean)[0] == 0


def test_sarif_and_json_outputs(tmp_path: Path) -> None:
    typo = write(
        tmp_path,
        "typo.json",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iam:PasRole", "Resource": "*"}],
        },
    )
    code, output = run("policy", "validate", typo, "--format", "sarif")
    sarif = json.loads(output)
    assert code == 1 and sarif["version"] == "2.1.0"
    run_ = sarif["runs"][0]
    assert [r["id"] for r in run_["tool"]["driver"]["rules"]] == ["unknown-action"]
    result = run_["results"][0]
    assert result["level"] == "error" and result["ruleIndex"] == 0
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 71}
    code, output = run("policy", "validate", typo, "--format", "json")
    assert json.loads(output)[0]["code"] == "unknown-action"


def test_s4_2_s3_star_is_reported_with_access_levels(tmp_path: Path) -> None:
    code, output = run("policy", "expand", write(tmp_path, "s3.json", S3_ALL), "--json")
    document = json.loads(output)
    assert code == 0
    assert set(document["profile"]) == {"List", "Read", "Write", "Permissions management", "Tagging"}
    assert all(count > 0 for count in document["profile"].values())
    levels = {row["action"]: row["access_level"] for row in document["actions"]}
    assert levels["s3:PutBucketPolicy"] == "Permissions management"
    assert levels["s3:GetObject"] == "Read" and levels["s3:ListBucket"] == "List"


def test_simulate_prints_the_decision_and_the_blocker(tmp_path: Path) -> None:
    identity = write(tmp_path, "id.json", S3_ALL)
    scp = write(
        tmp_path,
        "scp.json",
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
            ],
        },
    )
    common = [
        "policy",
        "simulate",
        "--principal",
        "arn:aws:iam::111122223333:user/a",
        "--policy",
        identity,
        "--scp",
        scp,
        "--resource",
        "arn:aws:s3:::b",
    ]
    code, output = run(*common, "--action", "s3:ListBucket")
    assert code == 0 and output.startswith("Allowed")
    code, output = run(*common, "--action", "s3:DeleteBucket")
    assert code == 1 and output.startswith("ExplicitlyDenied") and "blocked by: scp" in output
    code, output = run(
        *common, "--action", "s3:ListBucket", "--boundary", scp, "--context", "aws:SourceIp=10.0.0.1"
    )
    assert code == 0
