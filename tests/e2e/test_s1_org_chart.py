"""Scenario S1: access mirrors the org chart (joiner, secondment, leaver, finance, idempotence)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.e2e.conftest import AwsView, Sojourn

PEOPLE = """
people:
  - {user_name: bob, display_name: Bob Example}
  - {user_name: carol, display_name: Carol Example}
  - {user_name: dave, display_name: Dave Example}
%(extra_people)s
teams:
  - name: team-a
    accounts: {names: ["team-a-*"]}
    members: [bob%(team_a)s]
  - name: team-b
    accounts: {names: ["team-b-*"]}
    members: [carol%(team_b)s]
  - name: finance
    members: [dave]
"""
ALICE = "  - {user_name: alice, display_name: Alice Example, email: alice@example.com}"
WORKLOAD = {"team-a-dev", "team-a-prod", "team-b-dev", "team-b-prod"}


def people(alice: bool, team_a: str = "", team_b: str = "") -> str:
    return PEOPLE % {"extra_people": ALICE if alice else "", "team_a": team_a, "team_b": team_b}


def plan_json(sojourn: Sojourn, *extra: str) -> tuple[int, dict]:
    code, output = sojourn("plan", "--config", str(sojourn.config), "--json", *extra)
    return code, json.loads(output)


def apply(sojourn: Sojourn, tmp: Path, reason: str, *extra: str) -> None:
    plan_file = tmp / "plan.json"
    code, output = sojourn("plan", "--config", str(sojourn.config), "--out", str(plan_file), *extra)
    assert code in (0, 2), output
    code, output = sojourn("apply", str(plan_file), "--reason", reason)
    assert code == 0, output


def deltas(document: dict, person: str) -> set[str]:
    return {
        f"{d['sign']} {d['permission_set']} on {d['account']}"
        for d in document["person_delta"].get(person, [])
    }


def test_s1_joiner_secondment_leaver_finance_and_idempotence(
    s1: tuple[Sojourn, AwsView], tmp_path: Path, database_url: str
) -> None:
    sojourn, aws = s1
    sojourn.write("people.yaml", people(alice=False))
    apply(sojourn, tmp_path, "initial")

    # 1. joiner: developer on team A's two accounts, read-only on the other workload accounts
    sojourn.write("people.yaml", people(alice=True, team_a=", alice"))
    code, document = plan_json(sojourn)
    assert code == 2
    assert deltas(document, "alice") == {
        "+ developer on team-a-dev",
        "+ developer on team-a-prod",
        "+ read-only on team-b-dev",
        "+ read-only on team-b-prod",
    }
    assert set(document["person_delta"]) == {"alice"}
    apply(sojourn, tmp_path, "JOIN-1 alice joins team A")
    alice_id = aws.user_id("alice")
    assert aws.access_of("alice") == {
        ("team-a-dev", "developer"),
        ("team-a-prod", "developer"),
        ("team-b-dev", "read-only"),
        ("team-b-prod", "read-only"),
    }

    # 2. secondment to team B from a given day: nothing before it, then + developer and - read-only there
    seconded = people(
        alice=True, team_a=", alice", team_b=", {person: alice, from: 2027-01-04, until: 2027-03-31}"
    )
    sojourn.write("people.yaml", seconded)
    code, document = plan_json(sojourn, "--today", "2027-01-03")
    assert "alice" not in document["person_delta"]
    code, document = plan_json(sojourn, "--today", "2027-01-04")
    assert code == 2
    assert deltas(document, "alice") == {
        "+ developer on team-b-dev",
        "+ developer on team-b-prod",
        "- read-only on team-b-dev",
        "- read-only on team-b-prod",
    }
    apply(sojourn, tmp_path, "SEC-7 alice seconded to team B", "--today", "2027-01-04")
    assert aws.access_of("alice") == {(name, "developer") for name in WORKLOAD}

    # 3. leaver: every assignment removed in every account, one audit record per removal with who and why
    sojourn.write("people.yaml", people(alice=False))
    code, document = plan_json(sojourn, "--today", "2027-01-05")
    assert deltas(document, "alice") == {f"- developer on {name}" for name in WORKLOAD}
    apply(sojourn, tmp_path, "LEAVE-3 alice resigned", "--today", "2027-01-05")
    assert aws.user_id("alice") is None
    remaining = aws.all_assignments()
    assert remaining and all(a["PrincipalId"] != alice_id for a in remaining)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT actor, reason, account_id FROM audit_records "
                "WHERE person = 'alice' AND action = 'assignment.delete'"
            )
        ).all()
    engine.dispose()
    assert len(rows) == 4 + 2  # four removals at the leave; two read-only removals at the secondment
    leave_rows = [r for r in rows if r.reason == "LEAVE-3 alice resigned"]
    assert {r.account_id for r in leave_rows} == {aws.accounts[n] for n in WORKLOAD}
    assert all(r.actor == "e2e-admin" for r in leave_rows)

    # 4. finance: billing-read on every account and nothing else
    assert aws.access_of("dave") == {(name, "billing-read") for name in aws.accounts}

    # 5. applying the same configuration again changes nothing
    code, document = plan_json(sojourn, "--today", "2027-01-05")
    assert code == 0
    assert document["changes"] == []
    code, output = sojourn("audit", "verify")
    assert code == 0, output
