"""Policy use cases: validate, simulate, expand and analyse files, with the catalogue passed in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sojourn.analysis.finding import Risk
from sojourn.catalog import ActionCatalog, load_catalog
from sojourn.policy import Outcome, PolicyKind
from sojourn.service.policy_analysis import analyse_policy_files
from sojourn.service.policy_checks import (
    PolicyUnreadable,
    Simulation,
    expand_file,
    simulate_files,
    validate_files,
)
from sojourn.service.policy_files import PolicyPathError

BUCKET = "arn:aws:s3:::reports/q1.csv"
PRINCIPAL = "arn:aws:iam::111111111111:user/alice"


@pytest.fixture(scope="module")
def catalog() -> ActionCatalog:
    return load_catalog()


def write(tmp: Path, name: str, *statements: dict[str, Any]) -> Path:
    path = tmp / name
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))
    return path


def allow(action: str, resource: str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def test_validation_counts_errors_per_file_and_names_the_data_version(
    tmp_path: Path, catalog: ActionCatalog
) -> None:
    typo = write(tmp_path, "typo.json", allow("s3:GetObjcet"))
    clean = write(tmp_path, "clean.json", allow("s3:GetObject"))
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    report = validate_files([typo, clean, broken], PolicyKind.IDENTITY, catalog)
    assert report.files == 3 and report.errors == 2
    assert report.data_version == catalog.version
    assert any("did you mean s3:GetObject?" in str(i) for i in report.issues)
    assert validate_files([clean], PolicyKind.IDENTITY, catalog).errors == 0


def test_simulation_allows_denies_and_lets_an_scp_cut(tmp_path: Path) -> None:
    identity = write(tmp_path, "id.json", allow("s3:GetObject"))
    scp = write(tmp_path, "scp.json", {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}, allow("*"))
    asked = Simulation("s3:GetObject", BUCKET, PRINCIPAL, identity=[identity])
    assert simulate_files(asked).outcome is Outcome.ALLOWED
    assert simulate_files(Simulation("s3:PutObject", BUCKET, PRINCIPAL, identity=[identity])).outcome is (
        Outcome.IMPLICITLY_DENIED
    )
    cut = Simulation("s3:GetObject", BUCKET, PRINCIPAL, identity=[identity], scps=[scp])
    assert simulate_files(cut).outcome is Outcome.EXPLICITLY_DENIED


def test_simulation_reads_context_values_one_or_many(tmp_path: Path) -> None:
    condition = {"StringEquals": {"aws:PrincipalTag/team": "data"}}
    identity = write(tmp_path, "id.json", {**allow("s3:GetObject"), "Condition": condition})
    for values, outcome in ((["data"], Outcome.ALLOWED), (["web"], Outcome.IMPLICITLY_DENIED)):
        asked = Simulation(
            "s3:GetObject", BUCKET, PRINCIPAL, context={"aws:PrincipalTag/team": values}, identity=[identity]
        )
        assert simulate_files(asked).outcome is outcome


def test_an_unreadable_policy_is_refused_with_its_issues(tmp_path: Path, catalog: ActionCatalog) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"Version": "2012-10-17", "Statement": [')
    with pytest.raises(PolicyUnreadable) as refused:
        simulate_files(Simulation("s3:GetObject", BUCKET, PRINCIPAL, identity=[broken]))
    assert refused.value.issues and all(i.source == str(broken) for i in refused.value.issues)
    with pytest.raises(PolicyUnreadable):
        expand_file(broken, catalog)


def test_expansion_lists_each_allowed_action_with_its_level(tmp_path: Path, catalog: ActionCatalog) -> None:
    policy = write(
        tmp_path,
        "p.json",
        allow("s3:Get*"),
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"},
    )
    expansion = expand_file(policy, catalog)
    names = [name for name, _ in expansion.actions]
    assert names and all(n.startswith("s3:Get") for n in names)
    assert "s3:GetObject" not in names
    assert dict(expansion.actions)["s3:GetBucketPolicy"] == catalog.access_level("s3:GetBucketPolicy")
    assert sum(expansion.profile.values()) == len(names)


def test_analysis_reports_each_file_and_its_worst_risk(tmp_path: Path, catalog: ActionCatalog) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    write(folder, "admin.json", allow("*"))
    write(folder, "reader.json", allow("s3:GetObject", "arn:aws:s3:::reports/*"))
    seen: list[tuple[int, int]] = []
    analysis = analyse_policy_files([folder], PolicyKind.IDENTITY, catalog, lambda d, t: seen.append((d, t)))
    assert [Path(r.source).name for r in analysis.reports] == ["admin.json", "reader.json"]
    assert seen == [(1, 2), (2, 2)]
    admin, reader = analysis.reports
    assert admin.worst is Risk.HIGH and reader.worst in (None, Risk.LOW, Risk.INFO, Risk.MEDIUM)
    assert not analysis.has_errors
    high = analysis.reaching(Risk.HIGH)
    assert high and {Path(f.source).name for f in high} == {"admin.json"}
    assert not analysis.reaching(Risk.CRITICAL)
    with pytest.raises(PolicyPathError, match="no such file or folder"):
        analyse_policy_files([tmp_path / "nope"], PolicyKind.IDENTITY, catalog)
