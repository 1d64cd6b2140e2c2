"""`sojourn snapshot` of many accounts against moto behind an IAM-like rate limit: calls per account and
read time, with the per-account progress the command shows.

moto answers as fast as it can; the limiter (sojourn.demo.aws_limits) in front of it throttles IAM at 20
calls a second across all accounts (stricter than AWS, whose IAM limits are per account and unpublished)
and sso-admin at Identity Center's 20. Each account holds `roles` roles and `users` users with managed
and inline policies. The read is measured at `--accounts` accounts; the 1,000-account time is that figure
extrapolated linearly (calls per account are constant; the rate limit makes the time linear), and the
row says so.
Run: .venv/bin/python bench/snapshot_scale.py [--quick] [--json] [--accounts N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.report import emit

READ_ROLE = "OrganizationAccountAccessRole"
IAM_RATE = 20.0
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
INLINE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "sqs:SendMessage"], "Resource": "*"}],
}


def progress(message: str) -> None:
    print(f"[snapshot_scale {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def seed(endpoint: str, accounts: int, roles: int, users: int) -> list[str]:
    """An organisation of `accounts` member accounts, each with its roles and users (written in it)."""
    import boto3

    from sojourn.demo.seed import create_organization, synthetic_layout

    organizations = boto3.client("organizations", endpoint_url=endpoint, region_name="us-east-1")
    ids = list(
        create_organization(organizations, synthetic_layout(accounts, max(1, accounts // 20))).values()
    )
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1")

    def fill(account: str) -> None:
        creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{READ_ROLE}", RoleSessionName="seed")[
            "Credentials"
        ]
        iam = boto3.client(
            "iam",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        policy = iam.create_policy(PolicyName="app", PolicyDocument=json.dumps(INLINE))["Policy"]["Arn"]
        for r in range(roles):
            iam.create_role(RoleName=f"role-{r}", AssumeRolePolicyDocument=json.dumps(TRUST))
            iam.attach_role_policy(RoleName=f"role-{r}", PolicyArn=policy)
        for u in range(users):
            iam.create_user(UserName=f"user-{u}")
            iam.put_user_policy(UserName=f"user-{u}", PolicyName="inline", PolicyDocument=json.dumps(INLINE))

    with ThreadPoolExecutor(1) as pool:  # moto answers 500s to concurrent IAM writes
        list(pool.map(fill, ids))
    return ids


def measure(accounts: int, roles: int, users: int) -> dict[str, Any]:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    from sojourn.aws.calls import CallLog
    from sojourn.aws.settings import AwsSettings
    from sojourn.aws.snapshot_reader import take_snapshot
    from sojourn.demo.aws_limits import LimitedAws, Limits
    from sojourn.demo.server import EmbeddedMoto

    with EmbeddedMoto(separate_process=True) as moto:
        progress(f"seeding {accounts} accounts of {roles} roles and {users} users")
        started = time.perf_counter()
        seed(moto.endpoint_url, accounts, roles, users)
        progress(f"seeded in {time.perf_counter() - started:.0f} s")
        with LimitedAws(moto.endpoint_url, Limits(rates={"iam": IAM_RATE, "sso": 20.0})) as proxy:
            log = CallLog()
            shown: list[tuple[str, int, int]] = []
            last = [0.0]

            def account_progress(name: str, done: int, total: int) -> None:
                shown.append((name, done, total))
                if time.monotonic() - last[0] > 10 or done == total:
                    last[0] = time.monotonic()
                    progress(f"read {done}/{total} accounts ({name})")

            started = time.perf_counter()
            taken = take_snapshot(
                AwsSettings(endpoint_url=proxy.endpoint_url, iam_rate=IAM_RATE),
                READ_ROLE,
                datetime.now(UTC),
                account_progress,
                log=log,
            )
            seconds = time.perf_counter() - started
    read = len(taken.accounts)
    counts = log.snapshot()
    iam_calls = sum(n for op, n in counts.items() if op.startswith("iam:"))
    by_service: dict[str, int] = {}
    for op, count in counts.items():
        service = op.split(":", 1)[0]
        by_service[service] = by_service.get(service, 0) + count
    return {
        "by_service": ", ".join(f"{k} {v / max(read, 1):.1f}" for k, v in sorted(by_service.items())),
        "accounts": read,
        "seconds": seconds,
        "calls": log.total,
        "iam_calls": iam_calls,
        "throttles": sum(log.throttles.values()),
        "proxy_throttles": proxy.counts.get("throttled:iam", 0),
        "progress_lines": len(shown),
        "roles": sum(len(a.roles) for a in taken.accounts),
        "left_out": [n for n in taken.notes if "left out" in n],
    }


def rows(measured: dict[str, Any]) -> list[dict[str, Any]]:
    n = measured["accounts"]
    per_account = measured["calls"] / n
    extrapolated = measured["seconds"] * 1000 / n
    floor = measured["iam_calls"] * 1000 / n / IAM_RATE
    return [
        {
            "metric": f"snapshot calls per account ({n} accounts; "
            f"{measured['iam_calls'] / n:.1f} of them IAM; by service: {measured['by_service']})",
            "ours": round(per_account, 1),
            "peer": None,
            "peer_name": "none (PMapper reads one account per run)",
            "unit": "calls",
            "target": "(recorded)",
            "meets_target": None,
        },
        {
            "metric": f"snapshot read time, {n} accounts behind IAM at {IAM_RATE:.0f} TPS "
            f"({measured['throttles']} throttles absorbed, {len(measured['left_out'])} accounts left out)",
            "ours": round(measured["seconds"], 1),
            "peer": None,
            "peer_name": "none",
            "unit": "s",
            "target": "every account read",
            "meets_target": not measured["left_out"] and n == measured["expected"],
        },
        {
            "metric": "snapshot read time at 1,000 accounts ("
            + (f"extrapolated linearly from {n}" if n < 1000 else f"measured at {n}")
            + f"; the IAM rate alone needs {floor:.0f} s)",
            "ours": round(extrapolated, 0),
            "peer": None,
            "peer_name": "none",
            "unit": "s",
            "target": "(recorded; extrapolated, not measured)" if n < 1000 else "(measured)",
            "meets_target": None,
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5 accounts, for a smoke run")
    parser.add_argument("--json", action="store_true", help='print one {"rows": [...]} object')
    parser.add_argument("--accounts", type=int, default=200, help="member accounts to read (default 200)")
    args = parser.parse_args()
    accounts, roles, users = (5, 5, 2) if args.quick else (args.accounts, 20, 5)
    measured = measure(accounts, roles, users)
    measured["expected"] = accounts + 1  # the management account too
    emit(
        f"snapshot_scale: {accounts} accounts x ({roles} roles, {users} users)",
        rows(measured),
        as_json=args.json,
    )


if __name__ == "__main__":
    main()
