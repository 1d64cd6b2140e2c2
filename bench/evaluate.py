"""Policy engine speed: decisions/s and p99 on the shared vectors and on a realistic principal, and the
managed-policy corpus parsed and validated; each beside its peer in the same run.

Peers (installed by bench/peers/setup.sh into bench/.peers/, never runtime dependencies):
@cloud-copilot/iam-simulate for decisions, Parliament for the corpus.
Run: .venv/bin/python bench/evaluate.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.policy.vectors import vector_from_case

from bench.report import emit
from sojourn.catalog import load_catalog
from sojourn.policy import PolicyKind, compile_policy_set, evaluate, parse_policy
from sojourn.policy.validate import validate_policy

SHARED = ROOT.parent / "shared" / "data"
PEERS = ROOT / "bench" / ".peers"
LARGE = (
    "ReadOnlyAccess",
    "SecurityAudit",
    "ViewOnlyAccess",
    "AWSSupportServiceRolePolicy",
    "AmazonSageMakerFullAccess",
)
ROLE = "arn:aws:iam::111122223333:role/data-engineer"


def managed(name: str) -> dict[str, Any]:
    return dict(json.loads((SHARED / "aws-managed-policies" / name).read_text())["PolicyVersion"]["Document"])


def vector_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in sorted((SHARED / "iam-eval-vectors").glob("*.json")):
        cases += [c for c in json.loads(path.read_text()) if "simulation" not in c]
    return cases


def realistic_cases(count: int) -> list[dict[str, Any]]:
    """One role holding five large AWS managed policies, under a three-level SCP chain and a boundary."""
    catalog = load_catalog()
    identity = [managed(name) for name in LARGE]
    allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    regions = {
        "Version": "2012-10-17",
        "Statement": [
            allow_all["Statement"][0],
            {
                "Sid": "OnlyTwoRegions",
                "Effect": "Deny",
                "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*", "route53:*"],
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
            },
        ],
    }
    account = {
        "Version": "2012-10-17",
        "Statement": [
            allow_all["Statement"][0],
            {
                "Effect": "Deny",
                "Action": ["organizations:LeaveOrganization", "iam:CreateUser", "iam:CreateAccessKey"],
                "Resource": "*",
            },
        ],
    }
    boundary = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*", "iam:PassRole"], "Resource": "*"},
        ],
    }
    rng = random.Random(7)
    granted = sorted(
        {
            a
            for doc in identity
            for s in _statements(doc)
            for p in _as_list(s.get("Action"))
            for a in catalog.expand(p)
        }
    )
    everything = sorted(catalog.expand("*"))
    cases = []
    for _ in range(count):
        action = rng.choice(granted) if rng.random() < 0.8 else rng.choice(everything)
        resource = rng.choice(
            [
                "*",
                "arn:aws:s3:::analytics-bucket/data/2026/part-0001.parquet",
                "arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc",
                "arn:aws:iam::111122223333:role/x",
            ]
        )
        cases.append(
            {
                "request": {
                    "action": action,
                    "resource": {"resource": resource, "accountId": "111122223333"},
                    "principal": ROLE,
                    "context": {
                        "aws:RequestedRegion": rng.choice(["us-east-1", "eu-west-1", "ap-south-1"]),
                        "aws:SecureTransport": "true",
                        "aws:PrincipalTag/team": "data",
                    },
                },
                "identityPolicies": identity,
                "serviceControlPolicies": [
                    {"orgIdentifier": "r-root", "policies": [allow_all]},
                    {"orgIdentifier": "ou-workloads", "policies": [regions]},
                    {"orgIdentifier": "111122223333", "policies": [account]},
                ],
                "resourceControlPolicies": [],
                "permissionBoundaries": [boundary],
                "expected": {"response": "Allowed"},
                "name": action,
            }
        )
    return cases


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _as_list(value: object) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])  # type: ignore[call-overload]


def ours(cases: list[dict[str, Any]], rounds: int) -> dict[str, float]:
    """Policies parsed and compiled once per distinct set; each decision timed on its own."""
    vectors = [vector_from_case("bench", case) for case in cases]
    compiled_by_id: dict[int, Any] = {}
    prepared = []
    for case, vector in zip(cases, vectors, strict=True):
        key = id(case["identityPolicies"])
        if key not in compiled_by_id or len(cases) < 400:
            compiled_by_id[key] = compile_policy_set(vector.policies)
        prepared.append((vector.request, compiled_by_id[key]))
    for request, compiled in prepared:
        evaluate(request, compiled)
    samples: list[int] = []
    clock = time.perf_counter_ns
    started = clock()
    for _ in range(rounds):
        for request, compiled in prepared:
            t0 = clock()
            evaluate(request, compiled)
            samples.append(clock() - t0)
    elapsed = (clock() - started) / 1e9
    samples.sort()
    return {"decisions_per_second": len(samples) / elapsed, "p99_ms": samples[int(len(samples) * 0.99)] / 1e6}


def iam_simulate(cases: list[dict[str, Any]], rounds: int) -> dict[str, float] | None:
    driver = ROOT / "bench" / "peers" / "iam_simulate_driver.cjs"
    if not (PEERS / "node" / "node_modules" / "@cloud-copilot" / "iam-simulate").exists() or not shutil.which(
        "node"
    ):
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(cases, handle)
    result = subprocess.run(
        ["node", str(driver), handle.name, str(rounds)],
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    Path(handle.name).unlink()
    if result.returncode != 0:
        print(result.stderr[-2000:], file=sys.stderr)
        return None
    return dict(json.loads(result.stdout))


def corpus_ours() -> tuple[float, float, int]:
    started = time.perf_counter()
    catalog = load_catalog()
    load_seconds = time.perf_counter() - started
    texts = []
    for path in sorted((SHARED / "aws-managed-policies").iterdir()):
        text = path.read_text()
        if path.name != "SOURCE.txt" and text.strip():
            texts.append((path.name, json.dumps(json.loads(text)["PolicyVersion"]["Document"])))
    started = time.perf_counter()
    for name, text in texts:
        result = parse_policy(text, source=name, kind=PolicyKind.AWS_MANAGED)
        assert result.policy is not None
        validate_policy(result.policy, catalog)
    return time.perf_counter() - started, load_seconds, len(texts)


def corpus_parliament() -> dict[str, float] | None:
    python = PEERS / "venv" / "bin" / "python"
    if not python.exists():
        return None
    result = subprocess.run(
        [
            str(python),
            str(ROOT / "bench" / "peers" / "parliament_driver.py"),
            str(SHARED / "aws-managed-policies"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if result.returncode != 0:
        print(result.stderr[-2000:], file=sys.stderr)
        return None
    return dict(json.loads(result.stdout))


def rows(quick: bool) -> list[dict[str, Any]]:
    rounds = 2 if quick else 20
    table: list[dict[str, Any]] = []
    for label, cases, target in (
        ("vector cases", vector_cases(), None),
        ("realistic principal", realistic_cases(200 if quick else 1000), 20_000.0),
    ):
        mine = ours(cases, rounds)
        peer = iam_simulate(cases, rounds)
        table.append(
            {
                "metric": f"decisions/s, {label} (1 core)",
                "ours": round(mine["decisions_per_second"]),
                "peer": None if peer is None else round(peer["decisions_per_second"]),
                "peer_name": "@cloud-copilot/iam-simulate 0.1.173"
                if peer
                else "iam-simulate (not installed)",
                "unit": "decisions/s",
                "target": ">= 20,000" if target else "(recorded)",
                "meets_target": None if target is None else mine["decisions_per_second"] >= target,
            }
        )
        table.append(
            {
                "metric": f"p99 latency, {label}",
                "ours": round(mine["p99_ms"], 4),
                "peer": None if peer is None else round(peer["p99_ms"], 4),
                "peer_name": "@cloud-copilot/iam-simulate 0.1.173"
                if peer
                else "iam-simulate (not installed)",
                "unit": "ms",
                "target": "< 1 ms" if target else "(recorded)",
                "meets_target": None if target is None else mine["p99_ms"] < 1.0,
            }
        )
    seconds, load_seconds, count = corpus_ours()
    parliament = None if quick else corpus_parliament()
    table.append(
        {
            "metric": f"parse+validate {count} managed policies",
            "ours": round(seconds, 3),
            "peer": None if parliament is None else round(parliament["seconds"], 3),
            "peer_name": "parliament (not run)"
            if parliament is None
            else f"parliament 1.6.4 (crashed on {int(parliament['crashed'])} policies)",
            "unit": "s",
            "target": "< 2 s",
            "meets_target": seconds < 2.0,
        }
    )
    table.append(
        {
            "metric": "action catalogue load",
            "ours": round(load_seconds, 3),
            "peer": None,
            "peer_name": "none",
            "unit": "s",
            "target": "(recorded)",
            "meets_target": None,
        }
    )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds, no Parliament run")
    parser.add_argument("--json", action="store_true", help='print one {"rows": [...]} object')
    args = parser.parse_args()
    result = rows(args.quick)
    emit("evaluate", result, as_json=args.json)


if __name__ == "__main__":
    main()
