"""bench/generate.py --quick --json: the agreed row shape, and the generated policies are sound."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"metric", "ours", "peer", "peer_name", "unit", "target", "meets_target"}


def test_generate_quick_json_rows() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--quick", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    document = json.loads(result.stdout)
    assert set(document) == {"rows"}
    rows = {row["metric"].split(" (")[0]: row for row in document["rows"]}
    assert all(set(row) == KEYS for row in rows.values())
    assert rows["generation for 50 principals"]["ours"] > 0
    assert rows["largest generated policy"]["meets_target"] is True
    assert rows["validation problems above low"]["ours"] == 0
