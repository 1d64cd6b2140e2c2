"""Least-privilege policy generation for many principals: `generate_policy` (today's grants asked through the
policy engine, closed wildcards to fit, validation and analysis of each result) over seeded synthetic usage,
beside trailscraper's `generate_policy` on the same calls as CloudTrail records, in the same run.

Run: .venv/bin/python bench/generate.py [--principals 1000] [--quick] [--json]
The peer runs when bench/.peers/venv has trailscraper (pip install trailscraper==0.10.0); else its cells
are null. Ours starts from usage lines (what ingest leaves), the peer from the records of the same calls.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.report import emit
from sojourn.catalog import load_catalog
from sojourn.policy.model import Policy
from sojourn.policy.parser import parse_policy
from sojourn.service.policy_review import AnalysisReview
from sojourn.usage.generation import Target, generate_policy
from sojourn.usage.lines import UsageLine

Row = dict[str, Any]
PEER_NAME = "trailscraper 0.10.0 generate_policy"
PEER_PYTHON = ROOT / "bench" / ".peers" / "venv" / "bin" / "python"
TARGET_SECONDS = 10.0
ACCOUNT = "111122223333"
REGION = "eu-west-1"
DATA, BUCKET = {"bucketName": "data-{n}", "key": "k"}, {"bucketName": "data-{n}"}
TABLE, NAMED = "arn:aws:dynamodb:{r}:{a}:table/t-{n}", {"tableName": "t-{n}"}
USES = [
    ("s3.amazonaws.com", "GetObject", "s3:GetObject", "arn:aws:s3:::data-{n}/*", DATA),
    ("s3.amazonaws.com", "PutObject", "s3:PutObject", "arn:aws:s3:::data-{n}/*", DATA),
    ("s3.amazonaws.com", "ListObjects", "s3:ListBucket", "arn:aws:s3:::data-{n}", BUCKET),
    ("dynamodb.amazonaws.com", "Query", "dynamodb:Query", TABLE, NAMED),
    ("dynamodb.amazonaws.com", "GetItem", "dynamodb:GetItem", TABLE, NAMED),
    ("dynamodb.amazonaws.com", "PutItem", "dynamodb:PutItem", TABLE, NAMED),
    ("lambda.amazonaws.com", "Invoke", "lambda:InvokeFunction", "arn:aws:lambda:{r}:{a}:function:f-{n}",
     {"functionName": "f-{n}"}),
    ("sqs.amazonaws.com", "SendMessage", "sqs:SendMessage", "arn:aws:sqs:{r}:{a}:q-{n}",
     {"queueUrl": "q-{n}"}),
    ("secretsmanager.amazonaws.com", "GetSecretValue", "secretsmanager:GetSecretValue",
     "arn:aws:secretsmanager:{r}:{a}:secret:s-{n}", {"secretId": "s-{n}"}),
    ("ec2.amazonaws.com", "DescribeInstances", "ec2:DescribeInstances", "*", None),
    ("monitoring.amazonaws.com", "GetMetricData", "cloudwatch:GetMetricData", "*", None),
    ("kms.amazonaws.com", "Decrypt", "kms:Decrypt", "*", None),
]  # fmt: skip
TODAY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["s3:*", "dynamodb:*", "lambda:*", "sqs:*", "ec2:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "cloudwatch:Get*"], "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
    ],
}  # fmt: skip


def synthetic(
    principals: int, uses: int, seed: int = 15
) -> tuple[dict[str, list[UsageLine]], dict[str, list[dict[str, Any]]]]:
    """The same calls as usage lines (ours) and as CloudTrail records (the peer's input), per role."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    lines: dict[str, list[UsageLine]] = {}
    records: dict[str, list[dict[str, Any]]] = {}
    for p in range(principals):
        role = f"arn:aws:iam::{ACCOUNT}:role/app-{p:04d}"
        mine, theirs = [], []
        for _ in range(uses):
            source, event, action, template, params = rng.choice(USES)
            n = rng.randrange(8)
            arn = template.format(n=n, r=REGION, a=ACCOUNT)
            at = start + timedelta(minutes=rng.randrange(40_000))
            mine.append(UsageLine(role, "i-1", action, arn, False, at, at, rng.randrange(1, 50)))
            record: dict[str, Any] = {
                "eventSource": source,
                "eventName": event,
                "eventTime": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "awsRegion": REGION,
                "userIdentity": {"type": "AssumedRole", "sessionContext": {"sessionIssuer": {"arn": role}}},
                "requestParameters": {k: v.format(n=n) for k, v in params.items()} if params else None,
            }
            if arn != "*":
                record["resources"] = [{"ARN": arn}]
            theirs.append(record)
        lines[role], records[role] = mine, theirs
    return lines, records


def ours(lines: dict[str, list[UsageLine]]) -> tuple[float, list[float], int, int]:
    catalog = load_catalog()
    review = AnalysisReview(catalog)
    parsed = parse_policy(json.dumps(TODAY))
    assert parsed.policy is not None
    today: tuple[Policy, ...] = (parsed.policy,)
    generate_policy("warm-up", next(iter(lines.values())), catalog, today, Target.IDENTITY_INLINE, review)
    each, largest, problems = [], 0, 0
    started = time.perf_counter()
    for role, used in lines.items():
        one = time.perf_counter()
        generated = generate_policy(role, used, catalog, today, Target.IDENTITY_INLINE, review)
        each.append(time.perf_counter() - one)
        largest, problems = max(largest, generated.size), problems + len(generated.problems)
    return time.perf_counter() - started, each, largest, problems


def peer(records: dict[str, list[dict[str, Any]]]) -> dict[str, Any] | None:
    if not PEER_PYTHON.exists():
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(records, handle)
    driver = ROOT / "bench" / "peers" / "trailscraper_generate_driver.py"
    result = subprocess.run(
        [str(PEER_PYTHON), str(driver), handle.name], capture_output=True, text=True, timeout=600, check=False
    )
    Path(handle.name).unlink(missing_ok=True)
    if result.returncode != 0:
        print(f"peer failed: {result.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def row(
    metric: str,
    value: float,
    peer_value: float | None,
    unit: str,
    target: str,
    meets: bool | None,
    *,
    ran: bool,
) -> Row:
    return {
        "metric": metric,
        "ours": round(value, 4),
        "peer": None if peer_value is None else round(peer_value, 4),
        "peer_name": PEER_NAME if ran else f"{PEER_NAME} (not installed or failed)",
        "unit": unit,
        "target": target,
        "meets_target": meets,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--principals", type=int, default=1000)
    parser.add_argument("--uses", type=int, default=40, help="calls (usage lines) per principal")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    principals = 50 if args.quick else args.principals
    lines, records = synthetic(principals, args.uses)
    seconds, each, largest, problems = ours(lines)
    theirs = peer(records)
    ran = theirs is not None
    full = principals >= 1000
    meets = (seconds < TARGET_SECONDS * principals / 1000) if full else None
    p99 = statistics.quantiles(each, n=100)[98] * 1000 if len(each) > 1 else each[0] * 1000
    rows = [
        row(
            f"generation for {principals} principals ({args.uses} uses each), validated",
            seconds,
            None if theirs is None else theirs["seconds"],
            "s",
            f"< {TARGET_SECONDS:g} s for 1,000",
            meets,
            ran=ran,
        ),
        row("per principal, p99", p99, None, "ms", "(recorded)", None, ran=ran),
        row("largest generated policy", largest, None if theirs is None else theirs["largest"], "chars",
            "<= 10,240", largest <= 10_240, ran=ran),
        row("validation problems above low", problems, None, "count", "0", problems == 0, ran=ran),
    ]  # fmt: skip
    emit("Policy generation (bench/generate.py)", rows, as_json=args.json)


if __name__ == "__main__":
    main()
