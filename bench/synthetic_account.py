"""A synthetic account for the graph benchmark: roles, users and Lambda functions with a realistic mix.

Deterministic (seeded). Most roles are service roles with a few shared managed policies; some trust the
account root (people and automation), some trust one named role (chains); a few are administrators; a small
share of policies hold escalation permissions (PassRole on *, policy rewriting, function code updates).
"""

from __future__ import annotations

import random
from typing import Any

from sojourn.analysis.snapshot import AccountSnapshot, Function, Group, InlinePolicy, OrgSnapshot, Role, User

ACCOUNT = "123456789012"
SERVICES = ("lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com", "glue.amazonaws.com")


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def _policies(account: str = ACCOUNT) -> dict[str, dict[str, Any]]:
    ACCOUNT = account
    arn = f"arn:aws:iam::{ACCOUNT}:policy/"
    return {
        arn + "admin": _doc(_allow("*")),
        arn + "read-s3": _doc(
            _allow(["s3:Get*", "s3:List*"], ["arn:aws:s3:::data-*", "arn:aws:s3:::data-*/*"])
        ),
        arn + "read-ddb": _doc(
            _allow(["dynamodb:Query", "dynamodb:GetItem"], f"arn:aws:dynamodb:*:{ACCOUNT}:table/*")
        ),
        arn + "logs": _doc(_allow(["logs:CreateLogStream", "logs:PutLogEvents"], "*")),
        arn + "queue": _doc(_allow(["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"])),
        arn + "developer": _doc(
            _allow(["lambda:*", "s3:*", "dynamodb:*", "logs:*"]),
            {"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
        ),
        arn + "deployer": _doc(
            _allow(["cloudformation:*", "ecs:*", "ec2:RunInstances", "ec2:RequestSpotInstances"]),
            _allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/app-*"),
        ),
        arn + "passrole-any": _doc(
            _allow(["iam:PassRole", "ec2:RequestSpotInstances", "glue:CreateDevEndpoint"])
        ),
        arn + "policy-editor": _doc(_allow(["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"])),
        arn + "code-updater": _doc(
            _allow("lambda:UpdateFunctionCode", f"arn:aws:lambda:*:{ACCOUNT}:function:*")
        ),
        arn + "assume-ops": _doc(_allow("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/ops-*")),
        arn + "assume-any": _doc(_allow("sts:AssumeRole")),
        arn + "key-maker": _doc(
            _allow(["iam:CreateAccessKey", "iam:DeleteAccessKey"], f"arn:aws:iam::{ACCOUNT}:user/*")
        ),
    }


def _trust(principal: dict[str, str]) -> dict[str, Any]:
    return _doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal})


def synthetic_snapshot(
    roles: int = 5000, users: int = 1000, functions: int = 500, seed: int = 7
) -> OrgSnapshot:
    account = synthetic_account(ACCOUNT, roles, users, functions, random.Random(seed))
    return OrgSnapshot((account,), "o-synthetic")


def synthetic_organization(
    accounts: int = 1000, roles: int = 50, users: int = 10, functions: int = 5, seed: int = 7
) -> OrgSnapshot:
    """`accounts` accounts of the same mix; the first is the hub whose people reach into every account:
    its users may assume team roles anywhere, and one team role in ten elsewhere trusts the hub."""
    rng = random.Random(seed)
    ids = [f"{200000000000 + i}" for i in range(accounts)]
    hub = ids[0]
    built = tuple(
        synthetic_account(
            account,
            roles,
            users,
            functions,
            rng,
            hub=hub if account != hub else None,
            reach_all=account == hub,
            label=f"acct-{n:04d}",
        )
        for n, account in enumerate(ids)
    )
    return OrgSnapshot(built, "o-synthetic")


def synthetic_account(
    account: str,
    roles: int,
    users: int,
    functions: int,
    rng: random.Random,
    hub: str | None = None,
    reach_all: bool = False,
    label: str = "synthetic",
) -> AccountSnapshot:
    """One account: 2 % administrators, 60 % service roles, 30 % team roles, 8 % chained roles."""
    ACCOUNT = account
    policies = _policies(account)
    arns = list(policies)
    workload = [
        a for a in arns if a.rsplit("/", 1)[1] in ("read-s3", "read-ddb", "logs", "queue", "developer")
    ]
    risky = [a for a in arns if a not in workload]
    role_items: list[Role] = []
    root = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    for i in range(roles):
        share = i / roles
        if share < 0.02:
            name, trust, managed = f"ops-admin-{i}", _trust(root), (arns[0],)
        elif share < 0.62:
            name = f"app-{i}"
            trust = _trust({"Service": rng.choice(SERVICES)})
            managed = tuple(rng.sample(workload, 2))
        elif share < 0.92:
            trusted = {"AWS": f"arn:aws:iam::{hub}:root"} if hub and i % 10 == 0 else root
            name, trust = f"team-{i}", _trust(trusted)
            managed = tuple(rng.sample(workload, 2)) + ((rng.choice(risky),) if rng.random() < 0.05 else ())
        else:
            name = f"chain-{i}"
            target = rng.randrange(int(roles * 0.62), int(roles * 0.92))
            trust = _trust({"AWS": f"arn:aws:iam::{ACCOUNT}:role/team-{target}"})
            managed = tuple(rng.sample(workload, 1)) + ((rng.choice(risky),) if rng.random() < 0.1 else ())
        role_items.append(Role(f"arn:aws:iam::{ACCOUNT}:role/{name}", name, trust, managed))
    groups = tuple(
        Group(f"arn:aws:iam::{ACCOUNT}:group/g{g}", f"g{g}", (arns[1 + g % (len(arns) - 1)],))
        for g in range(12)
    )
    reach = "*" if reach_all else ACCOUNT
    user_items = []
    for i in range(users):
        inline = (
            InlinePolicy("assume", _doc(_allow("sts:AssumeRole", f"arn:aws:iam::{reach}:role/team-*"))),
        )
        user_items.append(
            User(
                f"arn:aws:iam::{ACCOUNT}:user/u{i}",
                f"u{i}",
                inline=inline if i % 3 == 0 else (),
                groups=(f"g{rng.randrange(12)}", f"g{rng.randrange(12)}"),
            )
        )
    service_roles = [r.arn for r in role_items if r.name.startswith("app-")]
    function_items = tuple(
        Function(f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:fn-{i}", f"fn-{i}", rng.choice(service_roles))
        for i in range(functions)
    )
    return AccountSnapshot(
        ACCOUNT, label, tuple(role_items), tuple(user_items), groups, function_items, policies
    )
