"""Access review end to end against moto: one item certified, one revoked; the revocation becomes a
configuration change that `plan` shows and `apply` makes, checked through boto3; the certified one stays."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from tests.e2e.conftest import AwsView, Sojourn

REVIEWS = """reviews:
  reviewers: [team_lead, account_owner, named]
  team_leads: {team-a: [bob]}
  people: [erin]
  deadline: 7d
  deadline_action: revoke
"""


def _baseline(sojourn: Sojourn, tmp: Path) -> None:
    code, output = sojourn("plan", "-c", str(sojourn.config), "--out", str(tmp / "p.json"))
    assert code == 2, output
    code, output = sojourn("apply", str(tmp / "p.json"), "--reason", "baseline")
    assert code == 0, output


def _items(sojourn: Sojourn, campaign: str) -> dict[str, dict[str, str]]:
    code, output = sojourn("review", "show", campaign, "--json", "-c", str(sojourn.config))
    assert code == 0, output
    return {item["subject"]: item for item in json.loads(output)["items"]}


def test_a_revoked_item_becomes_a_configuration_change_and_leaves_aws(
    s1: tuple[Sojourn, AwsView], tmp_path: Path
) -> None:
    sojourn, aws = s1
    _baseline(sojourn, tmp_path)
    sojourn.write("reviews.yaml", REVIEWS)
    config = ["-c", str(sojourn.config)]
    code, output = sojourn(
        "review", "start", "--name", "team-a prod", "--account", "team-a-prod",
        "--permission-set", "developer", "--as", "carol", *config,
    )  # fmt: skip
    assert code == 0, output
    campaign = re.search(r"Started (rv-\S+)", output).group(1)  # type: ignore[union-attr]
    items = _items(sojourn, campaign)
    assert set(items) == {"alice", "bob"}
    assert items["alice"]["reviewer"] == "bob"  # her team's lead
    assert items["bob"]["reviewer"] == "erin"  # bob leads team-a himself: the next candidate reviews him
    alice, bob = items["alice"]["item"], items["bob"]["item"]

    code, output = sojourn("review", "decide", campaign, bob, "--certify", "--as", "bob", *config)
    assert code == 1 and "may not review their own access" in output
    code, output = sojourn("review", "decide", campaign, alice, "--certify", "--as", "erin", *config)
    assert code == 1 and "assigned to bob, not erin" in output
    code, output = sojourn("review", "show", "--mine", "--as", "bob", *config)
    assert code == 0 and alice in output and bob not in output

    code, output = sojourn(
        "review",
        "decide",
        campaign,
        alice,
        "--revoke",
        "--comment",
        "moved to team b",
        "--as",
        "bob",
        *config,
    )
    assert code == 0, output
    code, output = sojourn(
        "review", "decide", campaign, bob, "--certify", "--comment", "on call", "--as", "erin", *config
    )
    assert code == 0, output

    code, output = sojourn("review", "close", campaign, "--write", "--as", "carol", *config)
    assert code == 0, output
    written = (sojourn.config / f"review-{campaign}.yaml").read_text()
    assert 'person: "alice"' in written and 'comment: "moved to team b"' in written
    assert aws.accounts["team-a-prod"] in written and "bob" in written  # decided_by

    code, output = sojourn("plan", "--json", *config)
    assert code == 2, output
    changes = json.loads(output)["changes"]
    deletes = [c for c in changes if c.get("action") == "delete"]
    assert len(deletes) == 1 and len(changes) == 1, changes
    assert "alice" in json.dumps(deletes[0]) and "developer" in json.dumps(deletes[0])

    assert ("team-a-prod", "developer") in aws.access_of("alice")
    code, output = sojourn("apply", "--yes", "--reason", f"access review {campaign}", *config)
    assert code == 0, output
    assert ("team-a-prod", "developer") not in aws.access_of("alice")
    assert ("team-a-dev", "developer") in aws.access_of("alice")  # only the reviewed assignment went
    assert ("team-a-prod", "developer") in aws.access_of("bob")  # the certified one stays

    code, output = sojourn("plan", *config)
    assert code == 0, output  # the revocation stays in the configuration: nothing re-grants it

    code, output = sojourn("review", "export", campaign, "--format", "csv", *config)
    assert code == 0, output
    rows = {row["subject"]: row for row in csv.DictReader(io.StringIO(output[output.index("item,") :]))}
    assert rows["alice"]["decision"] == "revoke" and rows["alice"]["decided_by"] == "bob"
    assert rows["alice"]["comment"] == "moved to team b"
    assert rows["alice"]["changed_in_aws"].startswith("removed ")
    assert rows["bob"]["decision"] == "certify" and rows["bob"]["changed_in_aws"] == ""
    code, output = sojourn("review", "close", "--due", *config)
    assert code == 0 and "No campaign is past its deadline." in output
    code, output = sojourn("audit", "show", "--json")
    assert code == 0
    assert "review.revoke" in output and "review.certify" in output and "review.start" in output


def test_an_assignment_outside_the_configuration_is_removed_directly(
    s1: tuple[Sojourn, AwsView], tmp_path: Path
) -> None:
    sojourn, aws = s1
    _baseline(sojourn, tmp_path)
    sojourn.write("reviews.yaml", REVIEWS)
    sojourn.write("settings.yaml", (sojourn.config / "settings.yaml").read_text().replace("remove", "report"))
    user_id = aws.identity.create_user(
        IdentityStoreId=aws.store_id,
        UserName="mallory",
        DisplayName="M",
        Name={"GivenName": "M", "FamilyName": "H"},
    )["UserId"]
    aws.sso.create_account_assignment(
        InstanceArn=aws.instance, TargetId=aws.accounts["team-a-prod"], TargetType="AWS_ACCOUNT",
        PermissionSetArn=aws.permission_sets()["developer"], PrincipalType="USER", PrincipalId=user_id,
    )  # fmt: skip
    config = ["-c", str(sojourn.config)]
    code, output = sojourn("review", "start", "--account", "team-a-prod", "--as", "carol", *config)
    assert code == 0, output
    campaign = re.search(r"Started (rv-\S+)", output).group(1)  # type: ignore[union-attr]
    item = _items(sojourn, campaign)["mallory"]
    assert item["source"] == "outside" and item["reviewer"] == "erin"
    code, output = sojourn("review", "close", campaign, "--as", "carol", *config)
    assert code == 1 and "has not come" in output  # before the deadline, undecided items keep it open
    code, output = sojourn(
        "review",
        "decide",
        campaign,
        item["item"],
        "--revoke",
        "--comment",
        "unknown",
        "--as",
        "erin",
        *config,
    )
    assert code == 0, output
    code, output = sojourn("review", "close", campaign, "--early", "--write", "--as", "carol", *config)
    assert code == 0, output
    assert "removed: developer for mallory" in output
    assert aws.access_of("mallory") == set()
    code, output = sojourn("review", "export", campaign, "--format", "html", *config)
    assert code == 0 and "<table" in output and "mallory" in output and "removed " in output
