"""`read_hygiene_facts` over the twins: each person's standing assignments (direct and through groups) with
their last use from the usage table, and the notes that say what was not judged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sojourn.access.state import AccessState, Assignment, Membership, PrincipalType
from sojourn.analysis.finding import Risk
from sojourn.analysis.hygiene_facts import AccountHygiene, AssignmentUse, RootFacts, Thresholds
from sojourn.aws.memory_hygiene import MemoryHygieneSource
from sojourn.service.hygiene import hygiene_report, read_hygiene_facts, standing_uses
from sojourn.service.ports.hygiene import AssignmentsUnavailable
from sojourn.store.memory_usage import MemoryUsageStore
from sojourn.usage.lines import UsageLine

NOW = datetime(2026, 6, 1, tzinfo=UTC)
PROD, DEV = "111122223333", "444455556666"
ROLE = "arn:aws:iam::{}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_{}_0123456789abcdef"
STATE = AccessState(
    memberships=frozenset({Membership("oncall", "erin"), Membership("oncall", "fay")}),
    assignments=frozenset(
        {
            Assignment(PROD, "prod-admin", PrincipalType.USER, "dave"),
            Assignment(PROD, "prod-admin", PrincipalType.GROUP, "oncall"),
            Assignment(DEV, "read-only", PrincipalType.GROUP, "oncall"),
        }
    ),
)


def line(
    account: str, permission_set: str, person: str, last: datetime, *, denied: bool = False
) -> UsageLine:
    principal = ROLE.format(account, permission_set)
    return UsageLine(principal, person, "s3:GetObject", "*", denied, NOW - timedelta(days=300), last, 1)


def test_standing_uses_expand_groups_and_take_the_last_use_per_account() -> None:
    lines = [
        line(PROD, "prod-admin", "erin", NOW - timedelta(days=3)),
        line(PROD, "prod-admin", "erin", NOW - timedelta(days=30)),
        line(DEV, "prod-admin", "fay", NOW - timedelta(days=1)),  # another account: not this assignment
        line(PROD, "prod-admin", "fay", NOW - timedelta(days=1), denied=True),  # wanted, not used
        UsageLine(f"arn:aws:iam::{PROD}:role/app", "i-1", "s3:GetObject", "*", False, NOW, NOW, 1),
    ]
    assert standing_uses(STATE, lines) == (
        AssignmentUse("dave", "prod-admin", PROD, None),
        AssignmentUse("erin", "prod-admin", PROD, NOW - timedelta(days=3)),
        AssignmentUse("erin", "read-only", DEV, None),
        AssignmentUse("fay", "prod-admin", PROD, None),
        AssignmentUse("fay", "read-only", DEV, None),
    )


def test_facts_and_report_over_the_twins() -> None:
    usage = MemoryUsageStore()
    usage.add([line(PROD, "prod-admin", "erin", NOW - timedelta(days=3))], [], NOW)
    source = MemoryHygieneSource(
        (AccountHygiene(PROD, "prod", root=RootFacts(True, True)),), ("dev left out",)
    )
    seen: list[tuple[str, int, int]] = []
    facts = read_hygiene_facts(source, usage, lambda: STATE, NOW, lambda *a: seen.append(a))
    assert seen == [("prod", 1, 1)]
    assert facts.activity_since == NOW - timedelta(days=300) and facts.taken_at == NOW
    assert facts.notes == ("dev left out",)
    report = hygiene_report(facts, NOW, Thresholds())
    ids = [(f.check.id, f.path) for f in report.findings]
    assert ids[0] == ("root-access-key", f"arn:aws:iam::{PROD}:root")
    assert ("standing-assignment-unused", f"identity-center:dave/prod-admin/{PROD}") in ids
    assert ("standing-assignment-unused", f"identity-center:erin/prod-admin/{PROD}") not in ids
    assert report.reaching(Risk.CRITICAL)
    longer = hygiene_report(facts, NOW, Thresholds(idle_days=400))  # activity reaches back only 300 days
    assert not any(f.check.id == "standing-assignment-unused" for f in longer.findings)


def test_notes_say_why_assignments_were_not_judged() -> None:
    def unavailable() -> AccessState:
        raise AssignmentsUnavailable("no Identity Center instance")

    empty = MemoryUsageStore()
    facts = read_hygiene_facts(MemoryHygieneSource(), empty, unavailable, NOW)
    assert facts.assignments == ()
    assert any("no Identity Center instance" in note for note in facts.notes)
    assert any("no activity ingested" in note for note in facts.notes)
    skipped = read_hygiene_facts(MemoryHygieneSource(), empty, None, NOW)
    assert any("Identity Center not asked" in note for note in skipped.notes)
