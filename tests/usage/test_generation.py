"""Policy generation from usage lines: exact actions and resources, never broader than today's grants,
closed wildcards only to fit the size limit, evidence per statement, the per-level diff."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from sojourn.catalog import ActionCatalog
from sojourn.policy.model import Policy
from sojourn.policy.parser import parse_policy
from sojourn.service.policy_review import AnalysisReview
from sojourn.usage.generation import GeneratedPolicy, Target, generate_policy
from sojourn.usage.level_diff import summary
from sojourn.usage.lines import UsageLine

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_app_0123456789abcdef"
OTHER = "arn:aws:iam::444455556666:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_app_fedcba9876543210"
TABLE = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders"
EARLY, LATE = datetime(2026, 11, 2, 9, tzinfo=UTC), datetime(2026, 11, 20, 17, tzinfo=UTC)


def policy(*statements: dict[str, object]) -> Policy:
    parsed = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))
    assert parsed.policy is not None
    return parsed.policy


def allow(actions: list[str], resources: object = "*", **extra: object) -> dict[str, object]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def line(
    action: str,
    resource: str = "*",
    *,
    principal: str = ROLE,
    session: str = "alice",
    calls: int = 1,
    denied: bool = False,
    last: datetime = LATE,
) -> UsageLine:
    return UsageLine(principal, session, action, resource, denied, EARLY, last, calls)  # fmt: skip


def generate(
    catalog: ActionCatalog, lines: list[UsageLine], today: tuple[Policy, ...], target: Target = Target.MANAGED
) -> GeneratedPolicy:
    return generate_policy("subject", lines, catalog, today, target, AnalysisReview(catalog))


BROAD = (policy(allow(["s3:*", "dynamodb:*", "ec2:Describe*"])),)


def test_exact_actions_on_the_resources_the_events_named(catalog: ActionCatalog) -> None:
    lines = [line("s3:GetObject", "arn:aws:s3:::orders-data/*", calls=4), line("dynamodb:Query", TABLE)]
    generated = generate(catalog, lines, BROAD)
    assert generated.document == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "UsedDynamodb", "Effect": "Allow", "Action": ["dynamodb:Query"], "Resource": TABLE},
            {
                "Sid": "UsedS3",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": "arn:aws:s3:::orders-data/*",
            },
        ],
    }
    assert generated.problems == () and generated.left_out == () and not generated.grouped


def test_statements_group_actions_by_resources_and_carry_evidence(catalog: ActionCatalog) -> None:
    lines = [
        line("s3:GetObject", "arn:aws:s3:::a/*", calls=2, last=EARLY),
        line("s3:PutObject", "arn:aws:s3:::a/*", session="bob", calls=3),
        line("s3:GetObject", "arn:aws:s3:::a/*", principal=OTHER, session="carol", calls=5),
    ]
    (statement,) = generate(catalog, lines, BROAD).statements
    assert statement.actions == ("s3:GetObject", "s3:PutObject")
    assert statement.resources == ("arn:aws:s3:::a/*",)
    evidence = {e.action: e for e in statement.evidence}
    assert (evidence["s3:GetObject"].calls, evidence["s3:GetObject"].who) == (7, ("alice", "carol"))
    assert evidence["s3:GetObject"].last_seen == LATE and evidence["s3:PutObject"].who == ("bob",)
    assert statement.calls == 10 and statement.last_used == LATE


def test_an_action_that_takes_no_resource_gets_star_with_the_reason(catalog: ActionCatalog) -> None:
    (statement,) = generate(catalog, [line("ec2:DescribeInstances", "*")], BROAD).statements
    assert statement.resources == ("*",)
    assert "takes no resource" in statement.resource_reason


def test_never_broader_than_today(catalog: ActionCatalog) -> None:
    today = (
        policy(
            allow(["s3:GetObject"], "arn:aws:s3:::reports/*"),
            allow(["dynamodb:Query"]),
            {"Effect": "Deny", "Action": "dynamodb:Query", "Resource": "arn:aws:dynamodb:*:*:table/secret"},
            allow(["lambda:InvokeFunction"], "*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
        ),
    )
    lines = [
        line("s3:GetObject", "arn:aws:s3:::reports/*"),
        line("s3:GetObject", "arn:aws:s3:::other/*"),
        line("s3:DeleteObject", "arn:aws:s3:::reports/*"),
        line("dynamodb:Query", TABLE),
        line("dynamodb:Query", f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/secret"),
        line("lambda:InvokeFunction", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:f"),
        line("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/x", denied=True),
    ]
    generated = generate(catalog, lines, today)
    kept = {(a, r) for s in generated.statements for a in s.actions for r in s.resources}
    assert kept == {("s3:GetObject", "arn:aws:s3:::reports/*"), ("dynamodb:Query", TABLE)}
    reasons = {(o.action, o.resource.rsplit(":", 1)[-1]): o.reason for o in generated.left_out}
    assert reasons[("s3:GetObject", "other/*")] == "not granted today on this resource"
    assert reasons[("s3:DeleteObject", "reports/*")] == "not granted today on this resource"
    assert reasons[("dynamodb:Query", "table/secret")] == "explicitly denied today"
    assert "conditions" in reasons[("lambda:InvokeFunction", "f")]
    assert all(o.action != "iam:CreateUser" for o in generated.left_out)  # denied calls add nothing
    assert all(c.added == 0 for c in generated.levels)


def test_an_unnamed_resource_keeps_the_resources_granted_today(catalog: ActionCatalog) -> None:
    today = (policy(allow(["s3:ListBucket"], ["arn:aws:s3:::a", "arn:aws:s3:::b"])),)
    (statement,) = generate(catalog, [line("s3:ListBucket", "*")], today).statements
    assert statement.resources == ("arn:aws:s3:::a", "arn:aws:s3:::b")
    assert "granted today" in statement.resource_reason


def test_the_diff_per_access_level(catalog: ActionCatalog) -> None:
    generated = generate(catalog, [line("s3:GetObject", "arn:aws:s3:::a/*")], BROAD)
    write = next(c for c in generated.levels if c.level == "Write")
    expected = catalog.union_bits(["s3:*", "dynamodb:*", "ec2:Describe*"]) & catalog.level_bits("Write")
    assert (write.removed, write.kept, write.after) == (expected.bit_count(), 0, 0)
    read = next(c for c in generated.levels if c.level == "Read")
    assert (read.kept, read.after) == (1, 1)
    assert f"removes {expected.bit_count()} Write actions, keeps 0" in summary(generated.levels)


def test_closed_wildcards_only_when_the_policy_would_not_fit(catalog: ActionCatalog) -> None:
    every = sorted(catalog.expand("s3:*") | catalog.expand("ec2:*"))
    missing = "s3:GetObjectAcl"
    used = [a for a in every if a != missing]
    lines = [line(a, "*") for a in used]
    today = (policy(allow(["s3:*", "ec2:*"])),)
    small = generate(catalog, lines[:5], today)
    assert not small.grouped and small.statements[0].actions == tuple(sorted(used[:5], key=str.lower))
    generated = generate(catalog, lines, today, Target.MANAGED)
    assert generated.grouped and generated.fits and generated.size <= 6_144
    written = [a for s in generated.statements for a in s.actions]
    granted = set().union(*(catalog.expand(a) for a in written))
    assert granted == set(used)  # nothing more than used: s3:GetObjectAcl stays out
    assert "s3:*" not in written and "ec2:*" in written


def test_a_policy_that_cannot_fit_says_so(catalog: ActionCatalog) -> None:
    lines = [line("s3:GetObject", f"arn:aws:s3:::bucket-{i:04d}/*") for i in range(400)]
    generated = generate(catalog, lines, (policy(allow(["s3:GetObject"])),), Target.MANAGED)
    assert not generated.fits and generated.size > Target.MANAGED.limit
    assert any("6,144" in p for p in generated.problems)


@pytest.mark.parametrize(("target", "limit"), [(Target.IDENTITY_INLINE, 10_240), (Target.MANAGED, 6_144),
                                               (Target.PERMISSION_SET_INLINE, 32_768)])  # fmt: skip
def test_targets_have_the_aws_limits(target: Target, limit: int) -> None:
    assert target.limit == limit


def test_an_action_used_on_named_and_unnamed_resources_gets_star_alone(catalog: ActionCatalog) -> None:
    lines = [line("s3:ListBucket", "arn:aws:s3:::a"), line("s3:ListBucket", "*")]
    (statement,) = generate(catalog, lines, BROAD).statements
    assert statement.resources == ("*",)
    assert statement.evidence[0].resources == ("*", "arn:aws:s3:::a")
