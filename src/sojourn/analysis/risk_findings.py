"""Risk categories as findings: what a principal or a policy can do on any resource, one per category."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sojourn.analysis.finding import CheckMeta, Finding, Risk


def _allow_on_any(action: str) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}
    )


RISKS = {
    "resource-exposure": CheckMeta(
        "risk-resource-exposure",
        Risk.HIGH,
        "Can change who may use resources (Permissions management on any resource)",
        "Limit policy-changing actions to the resources this principal owns.",
        _allow_on_any("iam:PutRolePolicy"),
    ),
    "credentials-exposure": CheckMeta(
        "risk-credentials-exposure",
        Risk.HIGH,
        "Can obtain credentials, tokens or secrets of any resource",
        "Name the secrets and keys it needs, or remove these actions.",
        _allow_on_any("secretsmanager:GetSecretValue"),
    ),
    "data-exfiltration": CheckMeta(
        "risk-data-exfiltration",
        Risk.MEDIUM,
        "Can read stored data from any resource",
        "Name the buckets, tables and parameters it reads.",
        _allow_on_any("dynamodb:GetItem"),
    ),
    "infrastructure-modification": CheckMeta(
        "risk-infrastructure-modification",
        Risk.LOW,
        "Can change infrastructure on any resource",
        "Name the resources it changes.",
        _allow_on_any("ec2:TerminateInstances"),
    ),
}


def risk_findings(principal: str, risks: Mapping[str, tuple[str, ...]]) -> list[Finding]:
    """One finding per category that has actions (a category with none gives no finding)."""
    return [
        risk_finding(principal, category, len(actions), actions[:5])
        for category, actions in risks.items()
        if actions
    ]


def risk_finding(source: str, category: str, count: int, sample: tuple[str, ...]) -> Finding:
    more = f" and {count - len(sample)} more" if count > len(sample) else ""
    detail = f"{count} action(s) on any resource: {', '.join(sample)}{more}"
    return Finding(RISKS[category], source, 0, 0, "", detail)
