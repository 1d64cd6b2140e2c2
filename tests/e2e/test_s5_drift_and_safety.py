"""S5.1 drift, stale plans, partial failure, import, and bad configuration leaving AWS untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sojourn.access.changes import AssignmentChange
from sojourn.access.outcome import ChangeOutcome
from sojourn.aws.gateway import Boto3IdentityCenter
from sojourn.aws.settings import AwsSettings
from sojourn.catalog import load_catalog
from sojourn.clock import SystemClock
from sojourn.service.applying import apply_plan
from sojourn.service.config_files import read_config_sources
from sojourn.service.planning import plan_access
from sojourn.service.saved_plan import SavedPlan
from sojourn.store import open_store
from tests.e2e.conftest import AwsView, Sojourn


def _apply_example(sojourn: Sojourn, tmp: Path) -> None:
    code, output = sojourn("plan", "--config", str(sojourn.config), "--out", str(tmp / "p.json"))
    assert code == 2, output
    code, output = sojourn("apply", str(tmp / "p.json"), "--reason", "baseline")
    assert code == 0, output


def _hand_made_assignment(aws: AwsView, account: str, permission_set: str) -> str:
    user_id = aws.identity.create_user(
        IdentityStoreId=aws.store_id,
        UserName="mallory",
        DisplayName="M",
        Name={"GivenName": "M", "FamilyName": "H"},
    )["UserId"]
    aws.sso.create_account_assignment(
        InstanceArn=aws.instance,
        TargetId=aws.accounts[account],
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=aws.permission_sets()[permission_set],
        PrincipalType="USER",
        PrincipalId=user_id,
    )
    return user_id


def test_s5_1_hand_made_assignment_is_drift_and_removed(s1: tuple[Sojourn, AwsView], tmp_path: Path) -> None:
    sojourn, aws = s1
    _apply_example(sojourn, tmp_path)
    _hand_made_assignment(aws, "team-a-prod", "developer")
    assert ("team-a-prod", "developer") in aws.access_of("mallory")
    code, output = sojourn("drift", "--config", str(sojourn.config))
    assert code == 2
    assert "developer for user mallory on team-a-prod" in output
    code, output = sojourn("apply", "--yes", "--config", str(sojourn.config), "--reason", "remove drift")
    assert code == 0, output
    assert aws.access_of("mallory") == set()
    assert aws.user_id("mallory") is not None  # the identity itself is not Sojourn's to delete


def test_s5_1_drift_report_mode_keeps_and_reports(s1: tuple[Sojourn, AwsView], tmp_path: Path) -> None:
    sojourn, aws = s1
    _apply_example(sojourn, tmp_path)
    _hand_made_assignment(aws, "team-b-dev", "read-only")
    code, output = sojourn("plan", "--config", str(sojourn.config), "--drift", "report", "--json")
    document = json.loads(output)
    assert code == 0 and document["changes"] == []
    assert document["drift"] == [
        {
            "description": "assignment read-only for user mallory on team-b-dev exists in "
            "AWS but not in configuration",
            "removed": False,
        }
    ]
    code, output = sojourn(
        "apply", "--yes", "--config", str(sojourn.config), "--drift", "report", "--reason", "keep"
    )
    assert code == 0, output
    assert "AWS matches the configuration" not in output
    assert "AWS differs from the configuration in 1 place, kept because of drift: report" in output
    assert aws.access_of("mallory") == {("team-b-dev", "read-only")}


def test_saved_plan_is_refused_when_aws_moved(s1: tuple[Sojourn, AwsView], tmp_path: Path) -> None:
    sojourn, aws = s1
    _apply_example(sojourn, tmp_path)
    (sojourn.config / "people.yaml").write_text(
        (sojourn.config / "people.yaml").read_text().replace("members: [alice, bob]", "members: [bob]")
    )
    code, _ = sojourn("plan", "--config", str(sojourn.config), "--out", str(tmp_path / "p2.json"))
    assert code == 2
    _hand_made_assignment(aws, "billing", "read-only")
    code, output = sojourn("apply", str(tmp_path / "p2.json"), "--reason", "late apply")
    assert code == 1
    assert "AWS changed since the plan was made" in output
    assert "now also needed: delete assignment read-only for user mallory" in output
    assert ("team-a-dev", "developer") in aws.access_of("alice")  # nothing of the stale plan was applied


class FailingGateway:
    """Wraps the real gateway and fails the assignments of one person, as AWS might mid-run."""

    def __init__(self, inner: Boto3IdentityCenter, person: str) -> None:
        self.inner, self.person = inner, person

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def apply_change(self, change):  # type: ignore[no-untyped-def]
        if isinstance(change, AssignmentChange) and change.assignment.principal == self.person:
            return ChangeOutcome(change, False, "injected: AccessDeniedException")
        return self.inner.apply_change(change)

    def apply_changes(self, changes, *, on_outcome):  # type: ignore[no-untyped-def]
        from sojourn.aws.gateway import run_bounded

        return run_bounded(self.apply_change, changes, 4, on_outcome)


def test_failure_midway_is_recorded_and_a_second_run_converges(
    s1: tuple[Sojourn, AwsView], database_url: str
) -> None:
    sojourn, aws = s1
    store = open_store(database_url)
    real = Boto3IdentityCenter(AwsSettings(endpoint_url=sojourn.endpoint))
    instance = real.instance.instance_arn
    sources = read_config_sources(sojourn.config)
    clock = SystemClock()
    catalog = load_catalog()
    outcome = plan_access(sources, real, store, instance=instance, today=clock.now().date(), catalog=catalog)
    saved = SavedPlan(outcome.plan, outcome.desired, clock.now(), "test")
    result = apply_plan(
        saved,
        FailingGateway(real, "carol"),
        store,
        instance=instance,
        actor="t",
        reason="r",
        clock=clock,
        drift=outcome.config.settings.drift,
    )
    assert not result.ok and result.failed
    run = store.runs.get(result.run_id)
    assert run is not None and run.status == "partial"
    failed = [c for c in run.changes if c.status == "failed"]
    assert failed and all("carol" in c.description for c in failed)
    assert all(c.status == "pending" for c in run.changes if "assignment.delete" in c.description)
    assert aws.access_of("carol") == set()
    assert store.audit.query(action="assignment.create.failed")
    again = plan_access(sources, real, store, instance=instance, today=clock.now().date(), catalog=catalog)
    assert {c.assignment.principal for c in again.plan.changes if isinstance(c, AssignmentChange)} == {
        "carol"
    }
    second = apply_plan(
        SavedPlan(again.plan, again.desired, clock.now(), "t"),
        real,
        store,
        instance=instance,
        actor="t",
        reason="retry",
        clock=clock,
        drift=again.config.settings.drift,
    )
    assert second.ok
    assert plan_access(
        sources, real, store, instance=instance, today=clock.now().date(), catalog=catalog
    ).plan.is_empty
    assert ("team-b-dev", "developer") in aws.access_of("carol")
    assert store.audit.verify().ok
    store.close()


def test_import_writes_configuration_whose_plan_is_empty(s1: tuple[Sojourn, AwsView], tmp_path: Path) -> None:
    sojourn, aws = s1
    _apply_example(sojourn, tmp_path)
    _hand_made_assignment(aws, "billing", "read-only")
    imported = tmp_path / "imported"
    code, output = sojourn("import", "--out", str(imported))
    assert code == 0, output
    code, output = sojourn("plan", "--config", str(imported), "--json")
    assert code == 0, output
    assert json.loads(output)["changes"] == []
    code, output = sojourn("import", "--out", str(imported))
    assert code == 1 and "refusing to overwrite" in output


@pytest.mark.parametrize(
    ("file", "content", "expected"),
    [
        ("rules.yaml", "rules:\n  - name: x\n    who: {teams: [team-a]\n", "malformed YAML"),
        (
            "extra.yaml",
            "rules:\n  - name: r\n    who: {teams: [team-zz]}\n"
            "    where: {all: true}\n    what: [developer]\n",
            "unknown team 'team-zz'",
        ),
        (
            "extra.yaml",
            "rules:\n  - name: r\n    who: {teams: [team-a]}\n"
            "    where: {names: [nope]}\n    what: [developer]\n",
            "unknown account name 'nope'",
        ),
        (
            "extra.yaml",
            "rules:\n  - name: r\n    who: {teams: [team-a]}\n    where: {ous: [/nowhere]}\n"
            "    what: [developer]\n",
            "selects no account",
        ),
        (
            "extra.yaml",
            "permission_sets:\n  - name: bad\n    inline_policy: '{\"Version\": '\n",
            "inline policy is not valid JSON",
        ),
    ],
)
def test_bad_configuration_is_reported_with_its_place_and_nothing_is_applied(
    s1: tuple[Sojourn, AwsView], file: str, content: str, expected: str
) -> None:
    sojourn, aws = s1
    sojourn.write(file, content)
    code, output = sojourn("apply", "--yes", "--config", str(sojourn.config), "--reason", "should not happen")
    assert code == 1
    assert expected in output
    assert f"{file}:" in output
    assert aws.permission_sets() == {}
