"""Metadata of the findings that whole-policy reports and the access graph derive, beside the registry's
per-statement checks: the escalation path one policy opens, and what only a snapshot shows."""

from __future__ import annotations

import json

from sojourn.analysis.finding import CheckMeta, Risk

_ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _snapshot(role_trust: dict[str, object], users: list[dict[str, object]]) -> str:
    """A one-account snapshot (format sojourn-snapshot/2) with an administrator role `admin`."""
    role = {
        "arn": "arn:aws:iam::111122223333:role/admin",
        "name": "admin",
        "trust": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **role_trust}]},
        "inline": [{"name": "admin", "document": _ADMIN}],
    }
    account = {"id": "111122223333", "name": "example", "roles": [role], "users": users}
    return json.dumps({"format": "sojourn-snapshot/2", "accounts": [account]})


ESCALATION_PATH = CheckMeta(
    id="privilege-escalation-path",
    severity=Risk.HIGH,
    title="The policy on its own lets its holder gain another principal's power",
    remediation="Remove the permissions named, add a Deny for them, or narrow their resources.",
    example='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Action": "iam:CreatePolicyVersion", "Resource": "*"}]}',
)
COMPUTE_ADMIN = CheckMeta(
    id="compute-role-with-admin",
    severity=Risk.HIGH,
    title="A role that compute runs as is an administrator",
    remediation="Give workloads only what they call: any code running on the instance or function holds it.",
    example=_snapshot({"Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}, []),
)
ESCALATION_TO_ADMIN = CheckMeta(
    id="escalation-to-admin",
    severity=Risk.HIGH,
    title="Principal can become an administrator",
    remediation="Remove one permission of the first step, add a Deny, or narrow its resources.",
    example=_snapshot(
        {"Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"},
        [
            {
                "arn": "arn:aws:iam::111122223333:user/dev",
                "name": "dev",
                "inline": [
                    {
                        "name": "assume",
                        "document": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": "sts:AssumeRole",
                                    "Resource": "arn:aws:iam::111122223333:role/admin",
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    ),
)
