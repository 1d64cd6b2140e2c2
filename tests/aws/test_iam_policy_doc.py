"""Every AWS operation the adapter calls is granted in docs/iam-policy.md (least privilege, documented)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import botocore.session

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {
    "sso-admin": "sso",
    "identitystore": "identitystore",
    "organizations": "organizations",
    "iam": "iam",
    "lambda": "lambda",
    "sts": "sts",
    "s3": "s3",
    "kms": "kms",
    "sqs": "sqs",
    "sns": "sns",
    "secretsmanager": "secretsmanager",
}
IAM_ACTION_OF = {"s3:ListBuckets": "s3:ListAllMyBuckets"}
"""Operations whose IAM action has another name (Service Authorization Reference)."""


def documented_actions() -> set[str]:
    text = (ROOT / "docs" / "iam-policy.md").read_text()
    actions: set[str] = set()
    for block in re.findall(r"```json\n(.*?)```", text, re.S):
        for statement in json.loads(block)["Statement"]:
            actions.update(statement["Action"])
    return actions


def operations_called_by_adapter() -> dict[str, set[str]]:
    """Each operation name quoted in the adapter's source -> the IAM actions it may stand for."""
    session = botocore.session.get_session()
    candidates: dict[str, set[str]] = {}
    for service, prefix in SERVICES.items():
        for name in session.get_service_model(service).operation_names:
            snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
            action = f"{prefix}:{name}"
            candidates.setdefault(snake, set()).add(IAM_ACTION_OF.get(action, action))
    source = "\n".join(p.read_text() for p in (ROOT / "src" / "sojourn" / "aws").glob("*.py"))
    literals = set(re.findall(r'"([a-z_]+)"', source))
    return {literal: candidates[literal] for literal in literals if literal in candidates}


def test_adapter_operations_are_all_in_the_documented_policies() -> None:
    documented = documented_actions()
    called = operations_called_by_adapter()
    assert len(called) > 30
    undocumented = sorted(op for op, actions in called.items() if not actions & documented)
    assert undocumented == []
