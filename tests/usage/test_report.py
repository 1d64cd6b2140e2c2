"""Usage beside grants: per action and per access level, used and denied apart."""

from __future__ import annotations

from datetime import UTC, datetime

from sojourn.catalog import ActionCatalog
from sojourn.usage.lines import UsageLine
from sojourn.usage.report import usage_report

ROLE = (
    "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Developer_0123456789abcdef"
)
DAY1 = datetime(2026, 11, 2, 9, tzinfo=UTC)
DAY2 = datetime(2026, 11, 9, 9, tzinfo=UTC)


def _line(action: str, resource: str, session: str, at: datetime, *, denied: bool = False) -> UsageLine:
    return UsageLine(ROLE, session, action, resource, denied, at, at, 3)


def test_actions_gather_resources_people_and_dates(catalog: ActionCatalog) -> None:
    lines = [
        _line("s3:GetObject", "arn:aws:s3:::a/*", "ann", DAY1),
        _line("s3:GetObject", "arn:aws:s3:::b/*", "bob", DAY2),
        _line("iam:CreateUser", "arn:aws:iam::111122223333:user/x", "bob", DAY2, denied=True),
    ]
    granted = catalog.union_bits(["s3:Get*", "s3:List*"])
    report = usage_report("permission set Developer", lines, catalog, granted=granted)
    (used,) = report.used
    assert used.action == "s3:GetObject"
    assert used.resources == ("arn:aws:s3:::a/*", "arn:aws:s3:::b/*")
    assert used.sessions == ("ann", "bob")
    assert (used.first_seen, used.last_seen, used.calls, used.granted) == (DAY1, DAY2, 6, True)
    assert [(d.action, d.granted) for d in report.denied] == [("iam:CreateUser", False)]
    assert report.used_not_granted == ()


def test_per_level_counts_granted_used_and_unused(catalog: ActionCatalog) -> None:
    granted = catalog.union_bits(["s3:GetObject", "s3:PutObject", "s3:ListBucket"])
    lines = [
        _line("s3:GetObject", "arn:aws:s3:::a/*", "ann", DAY1),
        _line("ec2:DescribeInstances", "*", "ann", DAY1),
    ]
    report = usage_report("x", lines, catalog, granted=granted)
    levels = {s.level: (s.granted, s.used, s.unused) for s in report.levels}
    assert levels["Read"] == (1, 1, 0)
    assert levels["Write"] == (1, 0, 1)
    assert levels["List"] == (1, 1, 1)  # ec2:DescribeInstances is a List action, used without a grant
    assert report.used_not_granted == ("ec2:DescribeInstances",)


def test_unknown_grants_stay_unknown(catalog: ActionCatalog) -> None:
    report = usage_report(
        "x", [_line("s3:GetObject", "*", "", DAY1)], catalog, not_expanded=("arn:aws:iam::aws:policy/X",)
    )
    assert report.used[0].granted is None
    assert all(s.granted is None and s.unused is None for s in report.levels)
    assert report.used[0].sessions == ()
