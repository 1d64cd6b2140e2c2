"""The right-size use cases: today's grants from the configuration and a snapshot (inline, AWS managed, a
role's own policies), refusals that say what to do, the window of days, and safe writes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from sojourn.analysis.snapshot import AccountSnapshot, InlinePolicy, OrgSnapshot, Role
from sojourn.catalog import ActionCatalog, load_catalog
from sojourn.service.right_sizing import (
    RightSizeRefused,
    right_size_permission_set,
    right_size_principal,
    write_proposal,
)
from sojourn.store.memory_usage import MemoryUsageStore
from sojourn.usage.lines import UsageLine

ACCOUNT = "111122223333"
SSO_ROLE = (
    f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_reader_0123456789abcdef"
)
APP_ROLE = f"arn:aws:iam::{ACCOUNT}:role/orders-app"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
SINCE = datetime(2026, 11, 5, tzinfo=UTC)
CONFIG = f"""\
permission_sets:
  - name: reader
    description: Reads
    managed_policies: [{READ_ONLY}]
  - name: custom
    customer_managed_policies: [{{name: team-policy}}]
"""
READ_ONLY_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "dynamodb:Query"], "Resource": "*"}],
}


@pytest.fixture(scope="module")
def catalog() -> ActionCatalog:
    return load_catalog()


def usage(*lines: UsageLine) -> MemoryUsageStore:
    store = MemoryUsageStore()
    store.add(list(lines), [], SINCE)
    return store


def used(principal: str, action: str, resource: str, day: int = 10) -> UsageLine:
    at = datetime(2026, 11, day, tzinfo=UTC)
    return UsageLine(principal, "alice", action, resource, False, at, at, 2)


def config(tmp_path: Path) -> Path:
    (tmp_path / "access").mkdir()
    (tmp_path / "access" / "sets.yaml").write_text(CONFIG)
    return tmp_path / "access"


def snapshot() -> OrgSnapshot:
    role = Role(
        APP_ROLE,
        "orders-app",
        {},
        inline=(InlinePolicy("all", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}),),
    )  # fmt: skip
    return OrgSnapshot(
        (AccountSnapshot(ACCOUNT, "prod", roles=(role,)),), aws_policies={READ_ONLY: READ_ONLY_DOCUMENT}
    )


def test_a_set_with_an_aws_managed_policy_is_intersected_with_its_document(
    catalog: ActionCatalog, tmp_path: Path
) -> None:
    store = usage(
        used(SSO_ROLE, "s3:GetObject", "arn:aws:s3:::reports/*"),
        used(SSO_ROLE, "s3:PutObject", "arn:aws:s3:::reports/*"),
        used(SSO_ROLE, "s3:GetObject", "arn:aws:s3:::old/*", day=1),
    )
    directory = config(tmp_path)
    with pytest.raises(RightSizeRefused, match="--snapshot"):
        right_size_permission_set(store, catalog, directory, "reader", since=SINCE)
    proposal = right_size_permission_set(
        store, catalog, directory, "reader", since=SINCE, snapshot=snapshot()
    )
    statements = proposal.generated.document["Statement"]
    assert statements == [
        {"Sid": "UsedS3", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::reports/*"}
    ]
    assert [(o.action, o.reason) for o in proposal.generated.left_out] == [
        ("s3:PutObject", "not granted today on this resource")
    ]
    file = str(directory / "sets.yaml")
    assert set(proposal.after) == {file}
    written = write_proposal(proposal)
    assert written == [directory / "sets.yaml"]
    reader = yaml.safe_load((directory / "sets.yaml").read_text())["permission_sets"][0]
    assert "managed_policies" not in reader and reader["inline_policy"]["Statement"] == statements
    with pytest.raises(RightSizeRefused, match="changed since it was read"):
        write_proposal(proposal)


def test_customer_managed_policies_are_refused_with_what_to_do(
    catalog: ActionCatalog, tmp_path: Path
) -> None:
    with pytest.raises(RightSizeRefused, match="move them inline first"):
        store = usage(used(SSO_ROLE.replace("_reader_", "_custom_"), "s3:GetObject", "arn:aws:s3:::r/*"))
        right_size_permission_set(store, catalog, config(tmp_path), "custom", since=SINCE)


def test_a_role_is_generated_from_its_policies_in_the_snapshot(catalog: ActionCatalog) -> None:
    table = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders"
    store = usage(used(APP_ROLE, "dynamodb:Query", table), used(APP_ROLE, "s3:GetObject", "arn:aws:s3:::x/*"))
    with pytest.raises(RightSizeRefused, match="sojourn snapshot"):
        right_size_principal(store, catalog, APP_ROLE, since=SINCE, snapshot=None)
    proposal = right_size_principal(store, catalog, APP_ROLE, since=SINCE, snapshot=snapshot())
    assert proposal.generated.document["Statement"] == [
        {"Sid": "UsedDynamodb", "Effect": "Allow", "Action": ["dynamodb:Query"], "Resource": table}
    ]
    assert proposal.generated.target.limit == 10_240 and proposal.after == {}
    with pytest.raises(RightSizeRefused, match="--permission-set reader"):
        right_size_principal(store, catalog, SSO_ROLE, since=SINCE, snapshot=snapshot())


def test_an_unused_set_no_rule_grants_changes_nothing(catalog: ActionCatalog, tmp_path: Path) -> None:
    proposal = right_size_permission_set(usage(), catalog, config(tmp_path), "reader", since=SINCE)
    assert proposal.after == {} and proposal.patch == ""
    assert "no standing rule grants it" in proposal.note


DIRECT = """\
people:
  - {user_name: alice}
  - {user_name: bob}
teams:
  - name: security
    members: [alice]
permission_sets:
  - name: app
    inline_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
rules:
  - name: app-direct
    who:
      people: [alice, bob]
    where: {all: true}
    what: [app]
"""


def test_people_named_in_a_rule_who_did_not_use_the_set_move_to_eligibility(
    catalog: ActionCatalog, tmp_path: Path
) -> None:
    (tmp_path / "access").mkdir()
    file = tmp_path / "access" / "access.yaml"
    file.write_text(DIRECT)
    role = SSO_ROLE.replace("_reader_", "_app_")
    store = usage(used(role, "s3:GetObject", "arn:aws:s3:::r/*"))  # alice's session
    proposal = right_size_permission_set(store, catalog, tmp_path / "access", "app", since=SINCE)
    assert "bob did not use app: pass --approver" in proposal.note
    assert "eligibility" not in proposal.after[str(file)]
    proposal = right_size_permission_set(
        store, catalog, tmp_path / "access", "app", since=SINCE, approvers=("security",)
    )
    assert proposal.note == "moved to eligibility, as they did not use app: bob"
    edited = yaml.safe_load(proposal.after[str(file)])
    assert edited["rules"][0]["who"] == {"people": ["alice"]}
    assert edited["eligibility"] == [
        {
            "name": "app-direct-idle-on-request",
            "who": {"people": ["bob"]},
            "permission_set": "app",
            "where": {"all": True},
            "max_duration": "4h",
            "approvers": {"teams": ["security"]},
        }
    ]
    assert edited["permission_sets"][0]["inline_policy"]["Statement"][0]["Action"] == ["s3:GetObject"]
