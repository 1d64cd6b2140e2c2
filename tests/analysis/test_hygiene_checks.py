"""Each credential hygiene check on its own: what it flags, what it leaves alone, its threshold (S4.5)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from sojourn.analysis.hygiene_checks import HYGIENE_RULES, HygieneCheck, hygiene_findings
from sojourn.analysis.hygiene_codec import HygieneFactsInvalid, facts_from_json, facts_to_json
from sojourn.analysis.hygiene_facts import (
    AccessKeyFact,
    AccountHygiene,
    AssignmentUse,
    CredentialReportInvalid,
    CredentialRow,
    HygieneFacts,
    KeySlot,
    PasswordPolicy,
    RoleFact,
    RootFacts,
    Thresholds,
    parse_credential_report,
)
from sojourn.analysis.registry import ALL_CHECKS, HYGIENE_CHECKS

NOW = datetime(2026, 6, 1, tzinfo=UTC)
ACCOUNT = "111122223333"


def days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def ids(facts: HygieneFacts, limits: Thresholds | None = None) -> list[str]:
    return sorted(f.check.id for f in hygiene_findings(facts, NOW, limits))


def account(**fields: object) -> HygieneFacts:
    return HygieneFacts(accounts=(AccountHygiene(ACCOUNT, "prod", **fields),))  # type: ignore[arg-type]


def row(name: str, **fields: object) -> CredentialRow:
    base = CredentialRow(name, f"arn:aws:iam::{ACCOUNT}:user/{name}", days_ago(400), False, None, None, False)
    return replace(base, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("rule", HYGIENE_RULES, ids=[r.meta.id for r in HYGIENE_RULES])
def test_every_example_is_flagged_by_its_check_alone(rule: HygieneCheck) -> None:
    facts = facts_from_json(json.loads(rule.meta.example))
    assert facts.taken_at is not None
    found = hygiene_findings(facts, facts.taken_at)
    assert rule.meta.id in {f.check.id for f in found}
    assert [f.check.id for f in hygiene_findings(facts, facts.taken_at, rules=(rule,))] == [rule.meta.id]


def test_hygiene_checks_are_in_the_one_registry() -> None:
    assert set(HYGIENE_CHECKS) <= set(ALL_CHECKS)
    assert len({m.id for m in HYGIENE_CHECKS}) == len(HYGIENE_RULES)


def test_root_access_key_and_mfa_from_the_account_summary() -> None:
    assert ids(account(root=RootFacts(access_keys=True, mfa=False))) == [
        "root-access-key",
        "root-without-mfa",
    ]
    assert ids(account(root=RootFacts(access_keys=False, mfa=True))) == []
    assert ids(account(root=None)) == []


def test_root_row_of_the_credential_report_wins_over_the_summary() -> None:
    root = row(
        "<root_account>", mfa_active=True, keys=(KeySlot(True, days_ago(5), None), KeySlot(False, None, None))
    )
    found = hygiene_findings(account(users=(root,), root=RootFacts(False, False)), NOW)
    assert [f.check.id for f in found] == ["root-access-key"]
    assert found[0].check.severity.value == "critical"


def test_console_user_without_mfa_but_not_with_a_device_or_without_a_password() -> None:
    bob = row("bob", password_enabled=True, password_last_used=days_ago(1))
    assert ids(account(users=(bob,))) == ["user-console-without-mfa"]
    assert ids(account(users=(bob,), mfa_users=frozenset({"bob"}))) == []
    assert ids(account(users=(replace(bob, mfa_active=True),))) == []
    assert ids(account(users=(replace(bob, password_enabled=False),))) == []


def test_password_unused_past_the_threshold_and_never_used() -> None:
    used = row("carol", password_enabled=True, mfa_active=True, password_last_used=days_ago(91))
    assert ids(account(users=(used,))) == ["password-unused"]
    assert ids(account(users=(used,)), Thresholds(unused_days=120)) == []
    fresh = row("dan", password_enabled=True, mfa_active=True, created=days_ago(10))
    assert ids(account(users=(fresh,))) == []
    never = replace(fresh, created=days_ago(200), password_last_changed=days_ago(100))
    detail = hygiene_findings(account(users=(never,)), NOW)[0].detail
    assert "never used" in detail and "100 days" in detail


def test_keys_unused_and_old_from_the_key_listing() -> None:
    old_used = AccessKeyFact("ci", "AKIAOLD", True, days_ago(120), days_ago(1))
    new_idle = AccessKeyFact("ci", "AKIAIDLE", True, days_ago(100), None)
    recent = AccessKeyFact("ci", "AKIANEW", True, days_ago(3), None)
    inactive = AccessKeyFact("ci", "AKIAOFF", False, days_ago(500), None)
    found = hygiene_findings(account(keys=(old_used, new_idle, recent, inactive)), NOW)
    assert sorted((f.check.id, f.detail.split(":")[0]) for f in found) == [
        ("access-key-old", "ci's AKIAIDLE is 100 days old (limit 90)"),
        ("access-key-old", "ci's AKIAOLD is 120 days old (limit 90)"),
        ("access-key-unused", "ci's AKIAIDLE"),
    ]
    assert ids(account(keys=(old_used, new_idle)), Thresholds(unused_days=365, key_age_days=365)) == []


def test_keys_from_the_credential_report_when_not_listed() -> None:
    slots = (KeySlot(True, days_ago(95), days_ago(94)), KeySlot(False, days_ago(300), None))
    found = hygiene_findings(account(users=(row("svc", keys=slots),)), NOW)
    assert sorted(f.check.id for f in found) == ["access-key-old", "access-key-unused"]
    assert all("access key 1" in f.detail for f in found)


def test_idle_roles_but_not_aws_managed_or_recently_used() -> None:
    def role(name: str, path: str = "/", used: datetime | None = None) -> RoleFact:
        return RoleFact(name, f"arn:aws:iam::{ACCOUNT}:role{path}{name}", path, days_ago(365), used)

    roles = (
        role("batch"),
        role("app", used=days_ago(2)),
        role("AWSServiceRoleForSupport", "/aws-service-role/support.amazonaws.com/"),
        role("AWSReservedSSO_admin_0123456789abcdef", "/aws-reserved/sso.amazonaws.com/"),
        role("stale", used=days_ago(91)),
    )
    found = hygiene_findings(account(roles=roles), NOW)
    assert sorted(f.path.rsplit("/", 1)[-1] for f in found) == ["batch", "stale"]
    assert ids(account(roles=roles), Thresholds(idle_days=400)) == []


def test_idle_standing_assignment_needs_activity_reaching_back_far_enough() -> None:
    uses = (
        AssignmentUse("dave", "prod-admin", ACCOUNT, None),
        AssignmentUse("erin", "prod-admin", ACCOUNT, days_ago(5)),
        AssignmentUse("fay", "read-only", ACCOUNT, days_ago(100)),
    )
    facts = HygieneFacts(
        accounts=(AccountHygiene(ACCOUNT, "prod"),), assignments=uses, activity_since=days_ago(120)
    )
    found = hygiene_findings(facts, NOW)
    assert sorted(f.path for f in found) == [
        f"identity-center:dave/prod-admin/{ACCOUNT}",
        f"identity-center:fay/read-only/{ACCOUNT}",
    ]
    assert all("move this standing assignment to eligibility" in f.detail for f in found)
    assert hygiene_findings(replace(facts, activity_since=days_ago(30)), NOW) == []
    assert hygiene_findings(replace(facts, activity_since=None), NOW) == []


def test_password_policy_missing_or_short() -> None:
    assert ids(account(password_policy=PasswordPolicy(False))) == ["password-policy-weak"]
    assert ids(account(password_policy=PasswordPolicy(True, 8))) == ["password-policy-weak"]
    assert ids(account(password_policy=PasswordPolicy(True, 14, 24))) == []
    assert ids(account(password_policy=None)) == []


def test_findings_are_worst_first() -> None:
    facts = account(
        root=RootFacts(True, True),
        roles=(RoleFact("batch", f"arn:aws:iam::{ACCOUNT}:role/batch", "/", days_ago(365), None),),
        users=(row("bob", password_enabled=True, password_last_used=days_ago(1)),),
    )
    assert [f.check.severity.value for f in hygiene_findings(facts, NOW)] == ["critical", "high", "low"]


REPORT = """user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,\
password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,\
access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,\
access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,\
cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,2026-05-01T10:00:00+00:00,\
not_supported,not_supported,false,true,2021-03-04T05:06:07+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
alice,arn:aws:iam::111122223333:user/alice,2024-02-03T04:05:06+00:00,true,no_information,\
2024-02-03T04:05:06+00:00,N/A,true,false,N/A,N/A,N/A,N/A,true,2024-02-03T04:05:07Z,2026-05-30T00:00:00+00:00,\
us-east-1,s3,false,N/A,false,N/A
"""


def test_credential_report_parses_as_iam_documents_it() -> None:
    root, alice = parse_credential_report(REPORT)
    assert root.is_root and not root.password_enabled and not root.mfa_active
    assert root.keys[0] == KeySlot(True, datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC), None)
    assert alice.password_enabled and alice.password_last_used is None and alice.mfa_active
    assert alice.keys[1] == KeySlot(
        True, datetime(2024, 2, 3, 4, 5, 7, tzinfo=UTC), datetime(2026, 5, 30, tzinfo=UTC)
    )
    found = hygiene_findings(account(users=(root, alice)), NOW)
    assert sorted(f.check.id for f in found) == [
        "access-key-old",
        "password-unused",
        "root-access-key",
        "root-without-mfa",
    ]


def test_credential_report_errors_name_the_problem() -> None:
    with pytest.raises(CredentialReportInvalid, match="lacks the column"):
        parse_credential_report("user,arn\nx,y\n")
    broken = REPORT.replace("2024-02-03T04:05:06+00:00,true", "yesterday,true")
    with pytest.raises(CredentialReportInvalid, match="line 3"):
        parse_credential_report(broken)


def test_facts_round_trip_through_json() -> None:
    facts = HygieneFacts(
        accounts=(
            AccountHygiene(
                ACCOUNT,
                "prod",
                users=parse_credential_report(REPORT),
                keys=(AccessKeyFact("ci", "AKIA1", True, days_ago(3), None),),
                mfa_users=frozenset({"alice"}),
                roles=(RoleFact("r", "arn:aws:iam::111122223333:role/r", "/", days_ago(9), days_ago(1)),),
                root=RootFacts(False, True),
                password_policy=PasswordPolicy(True, 16, 5),
            ),
        ),
        assignments=(AssignmentUse("dave", "admin", ACCOUNT, None),),
        activity_since=days_ago(100),
        notes=("a note",),
        taken_at=NOW,
    )
    assert facts_from_json(json.loads(json.dumps(facts_to_json(facts)))) == facts
    with pytest.raises(HygieneFactsInvalid):
        facts_from_json({"format": "other"})
    with pytest.raises(HygieneFactsInvalid):
        facts_from_json({"format": "sojourn-hygiene/1", "accounts": [{"name": "x"}]})
