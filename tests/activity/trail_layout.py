"""Lay CloudTrail records out as a trail bucket does: AWSLogs/<org>/<account>/CloudTrail/<region>/y/m/d/."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

from tests.usage.samples import SAMPLES

ORG = "o-exampleorg1"


def log_key(account: str, region: str, day: str, name: str) -> str:
    year, month, date = day.split("-")
    return f"AWSLogs/{ORG}/{account}/CloudTrail/{region}/{year}/{month}/{date}/{name}.json.gz"


def write_log(root: Path, key: str, records: list[dict[str, object]] | bytes) -> Path:
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = records if isinstance(records, bytes) else json.dumps({"Records": records}).encode()
    path.write_bytes(gzip.compress(raw))
    return path


def lay_out_samples(root: Path) -> list[str]:
    """The real samples as gzip'd log files in the trail layout (the malformed one as published)."""
    keys = []
    trailscraper = SAMPLES / "trailscraper"
    for original in sorted(trailscraper.glob("*.json.gz")):
        key = log_key("111111111111", "eu-central-1", "2017-12-11", original.name.removesuffix(".json.gz"))
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(original, root / key)
        keys.append(key)
    smoke = log_key(
        "111111111111", "eu-central-1", "2017-12-11", "111111111111_CloudTrail_eu-central-1_smoke"
    )
    write_log(root, smoke, (trailscraper / "events-for-smoke-test.json").read_bytes())
    keys.append(smoke)
    for original in sorted((SAMPLES / "cloudtrail2sightings").glob("*.json")):
        key = log_key("677301038893", "us-east-1", "2022-07-20", original.stem)
        write_log(root, key, original.read_bytes())
        keys.append(key)
    return keys
