"""S5.2: giving a permission set iam:PassRole on "*" (and the escalation paths and risks that come with it)
is flagged in the plan and can be refused."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import AwsView, Sojourn

RISKY = """
permission_sets:
  - name: deployer
    description: Deploys services
    managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
    inline_policy:
      Version: "2012-10-17"
      Statement:
        - {Sid: Deploy, Effect: Allow, Action: ["lambda:*", "iam:PassRole"], Resource: "*"}
rules:
  - {name: team-a-deploys, who: {teams: [team-a]}, where: {own: true}, what: [deployer]}
"""


def test_s5_2_passrole_on_star_is_flagged_before_apply_and_refused(
    s1: tuple[Sojourn, AwsView], tmp_path: Path
) -> None:
    sojourn, aws = s1
    code, output = sojourn("apply", "--yes", "--config", str(sojourn.config), "--reason", "baseline")
    assert code == 0, output
    sojourn.write("deployer.yaml", RISKY)
    code, output = sojourn("plan", "--config", str(sojourn.config), "--json")
    findings = json.loads(output)["findings"]
    assert code == 2
    assert findings[0] == {
        "check": "passrole-on-all-roles",
        "severity": "high",
        "where": "permission set deployer",
        "detail": "any role, including administrators, can be passed to a service the caller controls",
    }
    by_check = {(f["check"], f["detail"].split(":")[0]) for f in findings}
    assert {
        ("privilege-escalation-path", "take-over-code"),
        ("privilege-escalation-path", "run-code-as-role"),
    } <= by_check
    assert "risk-resource-exposure" in {f["check"] for f in findings}  # lambda:AddPermission on any function
    assert all(f["where"] == "permission set deployer" for f in findings)
    code, output = sojourn("plan", "--config", str(sojourn.config))
    assert "risk [high] passrole-on-all-roles in permission set deployer" in output
    code, output = sojourn(
        "apply",
        "--yes",
        "--config",
        str(sojourn.config),
        "--reason",
        "add deployer",
        "--refuse-findings",
        "high",
    )
    assert code == 1 and "the plan introduces risky permissions" in output
    assert "deployer" not in aws.permission_sets()
    code, output = sojourn(
        "apply", "--yes", "--config", str(sojourn.config), "--reason", "accepted risk, JIRA-9"
    )
    assert code == 0, output
    assert "deployer" in aws.permission_sets()
    code, output = sojourn("plan", "--config", str(sojourn.config), "--json")
    assert json.loads(output)["findings"] == []  # already in AWS: no longer introduced by the change
