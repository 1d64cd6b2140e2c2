"""Snapshot use cases: who-can, paths and findings answer as the core does and as the CLI prints."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sojourn.analysis.finding import Risk
from sojourn.analysis.graph_build import GraphBuilder
from sojourn.analysis.queries import UnknownTarget, who_can
from sojourn.analysis.snapshot_findings import snapshot_findings
from sojourn.aws.authorization_file import snapshot_from_details
from sojourn.catalog import ActionCatalog, load_catalog
from sojourn.cli.main import app
from sojourn.clock import FixedClock
from sojourn.service.access_graph import SnapshotAnalysis
from sojourn.service.snapshots import (
    DetailsFile,
    SnapshotUnavailable,
    load_snapshot,
    save_snapshot,
    snapshot_from_details_files,
)
from tests.analysis.test_graph import DEV, PROD, SHARED, arn, organisation

ADMIN_ROLE = arn(PROD, "role", "Admin")


@pytest.fixture(scope="module")
def catalog() -> ActionCatalog:
    return load_catalog()


@pytest.fixture(scope="module")
def analysis(catalog: ActionCatalog) -> SnapshotAnalysis:
    return SnapshotAnalysis(organisation(), catalog)


def test_who_can_gives_each_principal_its_chain_as_the_core_query_does(
    analysis: SnapshotAnalysis, catalog: ActionCatalog
) -> None:
    answers = {a.principal: a for a in analysis.who_can("sts:AssumeRole", ADMIN_ROLE)}
    alice = answers[arn(DEV, "user", "alice")]
    assert [h.target for h in alice.hops] == [arn(SHARED, "role", "deployer")]
    assert alice.display == "team-a-dev/alice"
    assert alice.text.startswith("team-a-dev/alice -[can assume") and "deployer" in alice.text
    assert answers[arn(SHARED, "role", "deployer")].hops == ()
    builder = GraphBuilder(organisation(), catalog)
    core = who_can(builder, builder.build(), "sts:AssumeRole", ADMIN_ROLE)
    assert [(p.start, p.hops, p.conditions) for p in core] == [
        (a.principal, a.hops, a.conditions) for a in analysis.who_can("sts:AssumeRole", ADMIN_ROLE)
    ]


def test_who_can_through_the_use_case_equals_what_the_cli_prints(
    analysis: SnapshotAnalysis, tmp_path: Path
) -> None:
    saved = tmp_path / "snapshot.json"
    save_snapshot(organisation(), saved)
    result = CliRunner().invoke(
        app, ["who-can", "sts:AssumeRole", ADMIN_ROLE, "--snapshot", str(saved), "--json"]
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout[result.stdout.index("[") :])
    expected = analysis.who_can("sts:AssumeRole", ADMIN_ROLE)
    assert [(p["principal"], p["text"], p["conditions"]) for p in printed] == [
        (a.principal, a.text, list(a.conditions)) for a in expected
    ]
    assert [[h["to"] for h in p["hops"]] for p in printed] == [[h.target for h in a.hops] for a in expected]


def test_paths_to_a_named_role_and_an_unknown_one(analysis: SnapshotAnalysis) -> None:
    starts = {p.principal for p in analysis.paths_to("team-a-prod/Admin")}
    assert arn(DEV, "user", "alice") in starts and arn(SHARED, "role", "deployer") in starts
    assert ADMIN_ROLE not in starts
    with pytest.raises(UnknownTarget):
        analysis.paths_to("team-a-prod/Nope")


def test_findings_are_the_core_findings_with_paths_to_admin(
    analysis: SnapshotAnalysis, catalog: ActionCatalog
) -> None:
    report = analysis.findings()
    builder = GraphBuilder(organisation(), catalog)
    assert list(report.findings) == snapshot_findings(builder, builder.build())
    assert any("team-a-dev/alice" in line for line in report.admin_paths)
    critical = report.reaching(Risk.CRITICAL)
    assert all(f.check.severity is Risk.CRITICAL for f in critical)
    at_least_high = report.reaching(Risk.HIGH)
    assert set(critical) <= set(at_least_high)
    assert {f.check.severity for f in at_least_high} <= {Risk.CRITICAL, Risk.HIGH}
    assert len(report.reaching(Risk.INFO)) == len(report.findings)


def test_a_snapshot_survives_save_and_load(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    save_snapshot(organisation(), path)
    assert load_snapshot(path) == organisation()


def test_missing_or_foreign_snapshots_are_refused_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(SnapshotUnavailable, match="not found; take one with `sojourn snapshot"):
        load_snapshot(tmp_path / "nope.json")
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"format": "something-else"}')
    with pytest.raises(SnapshotUnavailable, match="is not a Sojourn snapshot"):
        load_snapshot(foreign)


def test_details_files_build_a_snapshot_stamped_by_the_clock(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    details = tmp_path / "dev.json"
    details.write_text(json.dumps({"UserDetailList": [], "RoleDetailList": [], "Policies": []}))
    taken = snapshot_from_details_files([DetailsFile(details, DEV)], clock, snapshot_from_details)
    assert taken.taken_at == "2026-03-01T12:00:00+00:00"
    assert [a.id for a in taken.accounts] == [DEV]
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(SnapshotUnavailable, match="cannot be read as JSON"):
        snapshot_from_details_files([DetailsFile(broken, DEV)], clock, snapshot_from_details)
    with pytest.raises(SnapshotUnavailable, match="not the output of"):
        snapshot_from_details_files([DetailsFile(foreign_file(tmp_path), DEV)], clock, snapshot_from_details)


def foreign_file(tmp: Path) -> Path:
    path = tmp / "other.json"
    path.write_text('{"something": []}')
    return path
