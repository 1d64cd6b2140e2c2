"""Every benchmark's --json output has the agreed row shape (no timing is asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"metric", "ours", "peer", "peer_name", "unit", "target", "meets_target"}


@pytest.mark.parametrize(
    "script",
    [
        "plan_scale.py",
        "evaluate.py",
        "jit.py",
        "review_campaign.py",
        "web.py",
        "chaos.py",
        "snapshot_scale.py",
    ],
)
def test_quick_json_rows_have_the_agreed_keys(script: str) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--quick", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    document = json.loads(result.stdout)
    assert set(document) == {"rows"} and document["rows"]
    for row in document["rows"]:
        assert set(row) == KEYS
        assert isinstance(row["metric"], str) and isinstance(row["target"], str)
        assert row["meets_target"] in (True, False, None)
        assert isinstance(row["ours"], int | float)
    metrics = " | ".join(row["metric"] for row in document["rows"])
    expected = {
        "plan_scale.py": ["compile+diff of", "API calls per plan", "apply throughput", "through the limiter"],
        "evaluate.py": [
            "decisions/s, vector cases",
            "p99 latency, realistic principal",
            "parse+validate 1523 managed policies",
        ],
        "jit.py": ["approval to visible in AWS, p99", "revocation lateness", "approvals per second"],
        "review_campaign.py": ["build a campaign over", "store the campaign"],
        "snapshot_scale.py": ["snapshot calls per account", "snapshot read time", "at 1,000 accounts"],
        "chaos.py": [
            "worker SIGKILLs",
            "AWS faults injected",
            "worst lateness of a removal",
            "leftover assignments",
            "unrecorded AWS changes",
        ],
        "web.py": [
            "p95 page time: my access",
            "p95 page time: inbox",
            "p95 page time: audit search",
            "p95 page time: grants now",
            "start a review campaign over",
        ],
    }[script]
    assert all(metric in metrics for metric in expected)


def test_analyse_quick_json_rows() -> None:
    """The corpus rows, timed by us on ~100 policies; peers are null when bench/.peers/ is absent."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "analyse.py"), "--quick", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    document = json.loads(result.stdout)
    assert set(document) == {"rows"} and document["rows"]
    for row in document["rows"]:
        assert set(row) == KEYS
        assert isinstance(row["metric"], str) and isinstance(row["target"], str)
        assert row["meets_target"] in (True, False, None)
        assert row["peer"] is None or isinstance(row["peer"], int | float)
    corpus = [row for row in document["rows"] if row["metric"].startswith("corpus analyse seconds")]
    assert [row["metric"].rsplit(" vs ", 1)[1] for row in corpus] == ["Parliament", "Cloudsplaining"]
    for row in corpus:
        assert isinstance(row["ours"], int | float) and row["ours"] > 0
        assert row["unit"] == "s" and row["target"] == "< 2 s"
        if row["peer"] is None:
            missing = "not installed (run bench/peers/setup.sh)"
            assert missing in row["peer_name"] or "failed" in row["peer_name"]
    (speed_up,) = [row for row in document["rows"] if row["metric"].startswith("speed-up vs faster peer")]
    assert speed_up["target"] == ">= 3x"
    assert speed_up["ours"] is None or speed_up["ours"] > 0


def test_usage_quick_json_rows() -> None:
    """bench/usage.py --quick: ingest from local files and moto's S3 (and trailscraper when installed)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "usage.py"), "--quick", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    document = json.loads(result.stdout)
    assert set(document) == {"rows"} and document["rows"]
    for row in document["rows"]:
        assert set(row) == KEYS
        assert isinstance(row["ours"], int | float)
    metrics = " | ".join(row["metric"] for row in document["rows"])
    for expected in (
        "from local .json.gz, per CPU-second",
        "from moto's S3",
        "peak memory",
        "mapping coverage",
    ):
        assert expected in metrics
    again = next(row for row in document["rows"] if row["metric"].startswith("ingest again"))
    assert again["meets_target"] is True
