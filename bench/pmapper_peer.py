"""PMapper (principalmapper, from PyPI) on the synthetic 5,000-role account, beside Sojourn's graph.

PMapper reads an account through boto3 only; it has no offline input. Its `--localstack-endpoint` option
points every client at another endpoint, so the synthetic account is written into a moto server (IAM
roles, users, groups, policies and Lambda functions, as bench/synthetic_account.py makes them) and
`pmapper graph create` reads it there; then `pmapper query "preset privesc *"` answers the question that
`paths --to admin` answers. PMapper 1.1.5 imports `collections.Mapping`, which Python 3.10 removed: it is
run through a two-line shim that puts the old names back (no code of PMapper is changed).
Installed by bench/peers/setup.sh into bench/.peers/pmapper (its own venv: it pins old packages).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PMAPPER_PYTHON = ROOT / "bench" / ".peers" / "pmapper" / "bin" / "python"
SHIM = (
    "import collections, collections.abc, sys\n"
    "for n in ('Mapping', 'MutableMapping', 'Sequence', 'Iterable'):\n"
    "    setattr(collections, n, getattr(collections.abc, n))\n"
    "from principalmapper.__main__ import main\n"
    "sys.exit(main())\n"
)
TIMEOUT = 900


def _progress(message: str) -> None:
    print(f"[pmapper {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def seed_account(endpoint: str, snapshot: Any) -> None:
    """Write the snapshot's one account into moto's IAM and Lambda, as a console user would."""
    import boto3

    account = snapshot.accounts[0]
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
    lam = boto3.client("lambda", endpoint_url=endpoint, region_name="us-east-1")
    for arn, document in account.policies.items():
        iam.create_policy(PolicyName=arn.rsplit("/", 1)[1], PolicyDocument=json.dumps(document))
    for group in account.groups:
        iam.create_group(GroupName=group.name)
        for arn in group.managed:
            iam.attach_group_policy(GroupName=group.name, PolicyArn=arn)

    def role(item: Any) -> None:
        iam.create_role(RoleName=item.name, AssumeRolePolicyDocument=json.dumps(item.trust))
        for arn in item.managed:
            iam.attach_role_policy(RoleName=item.name, PolicyArn=arn)

    def user(item: Any) -> None:
        iam.create_user(UserName=item.name)
        for policy in item.inline:
            iam.put_user_policy(
                UserName=item.name, PolicyName=policy.name, PolicyDocument=json.dumps(policy.document)
            )
        for group in set(item.groups):
            iam.add_user_to_group(GroupName=group, UserName=item.name)

    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return None\n")

    def function(item: Any) -> None:
        lam.create_function(
            FunctionName=item.name,
            Runtime="python3.12",
            Role=item.role,
            Handler="index.handler",
            Code={"ZipFile": code.getvalue()},
        )

    with ThreadPoolExecutor(1) as pool:  # moto answers 500s to concurrent IAM writes
        list(pool.map(role, account.roles))
        list(pool.map(user, account.users))
        list(pool.map(function, account.functions))


POLICY_ARN = re.compile(rb"<Arn>(arn:aws:iam::\d{12}:policy/(?:[^<]*/)?([^</]+))</Arn>")


def name_policies(service: str, answer: bytes) -> bytes:
    """moto leaves PolicyName out of get-account-authorization-details' policies, which PMapper reads."""
    if service != "iam" or b"<Policies>" not in answer:
        return answer
    return POLICY_ARN.sub(rb"<Arn>\1</Arn><PolicyName>\2</PolicyName>", answer)


def run_pmapper(roles: int = 5000, users: int = 1000, functions: int = 500) -> dict[str, Any]:
    """{"peer": seconds or None, "peer_name": what ran, or exactly why it has no figure}."""
    if not PMAPPER_PYTHON.exists():
        return {"peer": None, "peer_name": "PMapper not installed (run bench/peers/setup.sh)"}
    from bench.synthetic_account import synthetic_snapshot
    from sojourn.demo.aws_limits import LimitedAws, Limits
    from sojourn.demo.server import EmbeddedMoto

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    snapshot = synthetic_snapshot(roles, users, functions)
    with (
        EmbeddedMoto(separate_process=True) as moto,
        LimitedAws(moto.endpoint_url, Limits(rates={}), rewrite=name_policies) as mended,
        tempfile.TemporaryDirectory() as home,
    ):
        _progress(f"seeding moto with {roles} roles, {users} users, {functions} functions")
        seed_account(moto.endpoint_url, snapshot)
        env = {
            **os.environ,
            "HOME": home,
            "XDG_DATA_HOME": str(Path(home) / "data"),
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        base = [str(PMAPPER_PYTHON), "-c", SHIM]
        create = [
            *base,
            "graph",
            "create",
            "--localstack-endpoint",
            mended.endpoint_url,
            "--include-regions",
            "us-east-1",
            "--ignore-orgs",
        ]
        _progress(f"pmapper graph create (timeout {TIMEOUT} s)")
        started = time.perf_counter()
        try:
            made = subprocess.run(create, env=env, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return {
                "peer": None,
                "peer_name": f"PMapper 1.1.5 graph create did not finish within {TIMEOUT} s (killed)",
            }
        created = time.perf_counter() - started
        if made.returncode != 0:
            last = (made.stderr.strip().splitlines() or ["no message"])[-1][:200]
            return {"peer": None, "peer_name": f"PMapper 1.1.5 graph create failed: {last}"}
        query = [*base, "--account", "123456789012", "query", "preset privesc *"]
        started = time.perf_counter()
        try:
            asked = subprocess.run(query, env=env, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return {
                "peer": None,
                "peer_name": f"PMapper 1.1.5: graph create {created:.0f} s; privesc query over {TIMEOUT} s",
            }
        queried = time.perf_counter() - started
        found = sum(1 for line in asked.stdout.splitlines() if "can escalate privileges" in line)
        _progress(f"pmapper: create {created:.1f} s, query {queried:.1f} s, {found} can escalate")
        return {
            "peer": round(created + queried, 1),
            "peer_name": f"PMapper 1.1.5 (graph create {created:.0f} s from moto incl. its reads; "
            f"preset privesc {queried:.0f} s; {found} principals can escalate)",
        }


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    print(json.dumps(run_pmapper(size, size // 5, size // 10)))
