"""Activity ingest throughput: a seeded synthetic trail (gzip'd log files in the AWSLogs layout) ingested
by `ingest_activity` (DuckDB aggregation, core mapping, SQLite usage table), events per second, then the
same ingest again (every file skipped). Also the mapping coverage over botocore's API operations.

Not the full bench/usage.py of issue 15 (10 million events, S3, trailscraper beside it): a first figure.
Run: .venv/bin/python bench/activity_ingest.py [--files N] [--records N] [--threads N] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from sojourn.activity.local_files import LocalTrail
from sojourn.activity.rules_file import load_event_rules
from sojourn.catalog import load_catalog
from sojourn.clock import FixedClock
from sojourn.service.activity import ingest_activity
from sojourn.store import open_store
from sojourn.usage.coverage import mapping_coverage
from sojourn.usage.event import EventCall

CALLS = [
    ("s3.amazonaws.com", "GetObject", {"bucketName": "b{n}", "key": "k/{r}"}),
    ("s3.amazonaws.com", "ListObjectsV2", {"bucketName": "b{n}"}),
    ("s3.amazonaws.com", "HeadObject", {"bucketName": "b{n}", "key": "k/{r}"}),
    ("dynamodb.amazonaws.com", "Query", {"tableName": "t{n}"}),
    ("dynamodb.amazonaws.com", "GetItem", {"tableName": "t{n}"}),
    ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": "f{n}"}),
    ("ec2.amazonaws.com", "DescribeInstances", None),
    ("monitoring.amazonaws.com", "GetMetricData", None),
    ("sts.amazonaws.com", "GetCallerIdentity", None),
    ("kms.amazonaws.com", "Decrypt", None),
    ("secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": "s{n}"}),
    ("iam.amazonaws.com", "CreateUser", {"userName": "u{n}"}),
]


def identity(rng: random.Random, account: str) -> dict[str, object]:
    if rng.random() < 0.3:
        person = f"user{rng.randrange(50)}@example.com"
        role = f"AWSReservedSSO_{rng.choice(['Developer', 'ReadOnly', 'Ops'])}_0123456789abcdef"
    else:
        app = rng.randrange(20)
        person = f"i-{app:04d}{rng.randrange(5):04d}"
        role = f"app-{app}"
    return {
        "type": "AssumedRole",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{person}",
        "accountId": account,
        "sessionContext": {"sessionIssuer": {"type": "Role", "arn": f"arn:aws:iam::{account}:role/{role}"}},
    }


def generate(root: Path, files: int, records: int, seed: int = 15) -> int:
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for f in range(files):
        account = f"{100000000000 + f % 8:012d}"
        region = ("eu-west-1", "us-east-1")[f % 2]
        day = start + timedelta(days=f % 30)
        batch = []
        for i in range(records):
            source, name, params = rng.choice(CALLS)
            n, r = rng.randrange(10), rng.randrange(100_000)
            record = {
                "eventVersion": "1.09",
                "userIdentity": identity(rng, account),
                "eventTime": (day + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "eventSource": source,
                "eventName": name,
                "awsRegion": region,
                "requestParameters": {k: v.format(n=n, r=r) for k, v in params.items()} if params else None,
                "eventType": "AwsApiCall",
                "recipientAccountId": account,
            }
            if name == "CreateUser":
                record["errorCode"] = "AccessDenied"
            batch.append(record)
        key = (
            f"AWSLogs/o-bench/{account}/CloudTrail/{region}/{day:%Y/%m/%d}/"
            f"{account}_CloudTrail_{region}_{day:%Y%m%dT%H%M}Z_{f:06d}.json.gz"
        )
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(json.dumps({"Records": batch}).encode(), compresslevel=6))
    return files * records


def botocore_coverage() -> dict[str, object]:
    """(eventSource, eventName) pairs as CloudTrail would log botocore's operations: the source from the
    service's SigV4 signing name (else its endpoint prefix), which is usually CloudTrail's; a proxy."""
    import botocore.session

    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    calls = []
    for service in loader.list_available_services("service-2"):
        model = loader.load_service_model(service, "service-2")
        metadata = model["metadata"]
        prefix = metadata.get("signingName") or metadata.get("endpointPrefix", service)
        calls += [EventCall(f"{prefix}.amazonaws.com", op) for op in model["operations"]]
    coverage = mapping_coverage(calls, load_catalog(), load_event_rules())
    share = round(coverage.share_mapped, 4)
    return {"pairs": coverage.pairs, "mapped": coverage.mapped, "share_mapped": share}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-botocore", action="store_true")
    args = parser.parse_args()
    catalog, rules = load_catalog(), load_event_rules()
    with tempfile.TemporaryDirectory() as tmp:
        trail = Path(tmp) / "trail"
        events = generate(trail, args.files, args.records)
        store = open_store(f"sqlite:///{tmp}/sojourn.db")
        clock = FixedClock(datetime(2026, 12, 1, tzinfo=UTC))
        results = {}
        for run in ("first", "again"):
            source = LocalTrail(trail, rules, threads=args.threads, catalog=catalog)
            started = time.perf_counter()
            report = ingest_activity(source, store.usage, catalog, rules, clock)
            seconds = time.perf_counter() - started
            source.close()
            results[run] = {
                "files": report.files_ingested,
                "events": report.events,
                "usage_lines": report.lines,
                "seconds": round(seconds, 3),
                "events_per_second": round(report.events / seconds) if report.events else 0,
            }
        store.close()
    outcome: dict[str, object] = {
        "generated_events": events,
        "threads": args.threads,
        **results,
    }
    if not args.no_botocore:
        outcome["botocore_operations"] = botocore_coverage()
    print(json.dumps(outcome, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
