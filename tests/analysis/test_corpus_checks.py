"""Every check, with the catalogue, over every AWS managed policy of the shared corpus: none may fail; and
the whole per-policy report (`sojourn policy analyse`) over the same files, empty ones included."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from sojourn.analysis.finding import AnalysisContext
from sojourn.analysis.policy_report import report_policy
from sojourn.analysis.profile import access_level_profile
from sojourn.analysis.registry import CHECKS, analyse
from sojourn.catalog import ACCESS_LEVELS, load_catalog
from sojourn.policy import PolicyKind, parse_policy


def test_every_check_runs_on_every_managed_policy(shared_dir: Path) -> None:
    catalog = load_catalog()
    context = AnalysisContext(catalog=catalog)
    folder = shared_dir / "data" / "aws-managed-policies"
    counts: Counter[str] = Counter()
    analysed = 0
    for path in sorted(folder.iterdir()):
        text = path.read_text()
        if path.name == "SOURCE.txt" or not text.strip():
            continue
        document = json.loads(text)["PolicyVersion"]["Document"]
        policy = parse_policy(
            json.dumps(document, indent=4), source=path.name, kind=PolicyKind.AWS_MANAGED
        ).policy
        assert policy is not None, path.name
        for finding in analyse(policy, context):
            assert finding.line > 0 and finding.path.startswith("Statement"), finding
            counts[finding.check.id] += 1
        assert set(access_level_profile(policy, catalog)) == set(ACCESS_LEVELS)
        analysed += 1
    assert analysed == 1523
    assert set(counts) <= {check.meta.id for check in CHECKS}
    for check_id in ("action-resource-mismatch", "redundant-action", "condition-operator-type-mismatch"):
        assert counts[check_id] > 0, counts


def test_the_whole_report_runs_on_every_file_of_the_corpus(shared_dir: Path) -> None:
    context = AnalysisContext(catalog=load_catalog())
    reports = []
    for path in sorted((shared_dir / "data" / "aws-managed-policies").iterdir()):
        if path.name == "SOURCE.txt":
            continue
        text = path.read_text()
        document = (
            json.dumps(json.loads(text)["PolicyVersion"]["Document"], indent=4) if text.strip() else text
        )
        reports.append(
            report_policy(parse_policy(document, source=path.name, kind=PolicyKind.AWS_MANAGED), context)
        )
    assert len(reports) == 1525
    unreadable = [r.source for r in reports if r.policy is None]
    assert len(unreadable) == 2 and all(r.issues for r in reports if r.policy is None)
    assert sum(len(r.escalations) for r in reports) > 100
    assert all(set(r.profile) == set(ACCESS_LEVELS) for r in reports if r.policy is not None)
