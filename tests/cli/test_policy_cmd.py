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


OFFICE_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "FromTheOffice",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {
                "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                "Bool": {"aws:MultiFactorAuthPresent": "true"},
            },
        }
    ],
}


def test_simulate_names_the_condition_that_was_not_met_and_what_the_request_held(tmp_path: Path) -> None:
    identity = write(tmp_path, "office.json", OFFICE_ONLY)
    asked = ["policy", "simulate", "--principal", "arn:aws:iam::111122223333:user/a", "--policy", identity]
    asked += ["--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"]
    code, output = run(
        *asked, "--context", "aws:SourceIp=198.51.100.7", "--context", "aws:MultiFactorAuthPresent=true"
    )
    assert code == 1 and output.startswith("ImplicitlyDenied")
    lines = [line for line in output.splitlines() if line.startswith("condition not met")]
    assert lines == [
        f"condition not met: {identity} Statement[0] (FromTheOffice): IpAddress aws:SourceIp "
        "['203.0.113.0/24']; the request has aws:SourceIp = 198.51.100.7"
    ]
    code, output = run(*asked, "--context", "aws:SourceIp=203.0.113.9")
    assert code == 1
    assert "Bool aws:MultiFactorAuthPresent ['true']; the request has no aws:MultiFactorAuthPresent" in output
    code, output = run(
        *asked, "--context", "aws:SourceIp=203.0.113.9", "--context", "aws:MultiFactorAuthPresent=true"
    )
    assert code == 0 and "condition not met" not in output


def test_simulate_refuses_a_context_value_of_the_wrong_type(tmp_path: Path) -> None:
    identity = write(tmp_path, "office.json", OFFICE_ONLY)
    asked = ["policy", "simulate", "--principal", "arn:aws:iam::111122223333:user/a", "--policy", identity]
    asked += ["--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"]
    code, output = run(*asked, "--context", "aws:SourceIp=203.0.113.300")
    assert code == 2 and not output.startswith(("Allowed", "ImplicitlyDenied"))
    assert "aws:SourceIp=203.0.113.300 is not an IP address" in " ".join(output.split())
    code, output = run(
        *asked, "--context", "aws:SourceIp=203.0.113.9", "--context", "aws:MultiFactorAuthPresent=yes"
    )
    assert code == 2 and "aws:MultiFactorAuthPresent=yes is not true or false" in " ".join(output.split())
    code, output = run(*asked, "--context", "aws:CurrentTime=yesterday")
    assert code == 2 and "aws:CurrentTime=yesterday is not a date" in " ".join(output.split())


def test_a_service_key_compared_with_an_ip_operator_is_checked_as_an_ip(tmp_path: Path) -> None:
    document = json.loads(json.dumps(OFFICE_ONLY))
    document["Statement"][0]["Condition"] = {"NotIpAddress": {"ec2:SourceInstancePrivateIPv4": "10.0.0.0/8"}}
    identity = write(tmp_path, "service-key.json", document)
    code, output = run(
        "policy",
        "simulate",
        "--principal",
        "arn:aws:iam::111122223333:user/a",
        "--policy",
        identity,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::b/k",
        "--context",
        "ec2:SourceInstancePrivateIPv4=10.0.0.256",
    )
    assert code == 2
    assert f"({identity} compares it with NotIpAddress)" in " ".join(output.split())
