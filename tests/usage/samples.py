"""Reading the CloudTrail corpora of the tests: the real samples and the documented-shape fixtures."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cloudtrail-samples"
"""Beside the project, like tests/conftest.py's SHARED."""
FIXTURES = Path(__file__).parent.parent / "fixtures" / "cloudtrail"


def sample_files() -> list[Path]:
    """Every CloudTrail file of the real samples (policy-to-guess.json is a policy, not a trail)."""
    return sorted(
        p
        for p in SAMPLES.rglob("*")
        if p.name.endswith((".json", ".json.gz")) and p.name != "policy-to-guess.json"
    )


def records_of(path: Path) -> list[dict[str, object]]:
    """The Records of one file; ValueError when it is not JSON (one sample is malformed as published)."""
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    records = json.loads(raw)["Records"]
    assert isinstance(records, list)
    return records


def parseable_records(paths: list[Path]) -> Iterator[dict[str, object]]:
    for path in paths:
        try:
            yield from records_of(path)
        except ValueError:
            continue


def fixture_records() -> list[dict[str, object]]:
    return records_of(FIXTURES / "documented-shapes.json")
