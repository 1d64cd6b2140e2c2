"""A closed campaign's revocations as a configuration file the compiler honours (`revocations:`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from sojourn.access.review_settings import Revocation
from sojourn.access.state import PrincipalType


def revocations_file_name(campaign_id: str) -> str:
    """The file a campaign's revocations are written to, inside the configuration directory."""
    return f"review-{campaign_id}.yaml"


def revocations_yaml(
    campaign_id: str, name: str, revocations: Sequence[Revocation], account_names: Mapping[str, str]
) -> str:
    """YAML text with one `revocations:` entry per revoked assignment, commented with the account name.

    Strings are written as JSON strings, which YAML reads as double-quoted scalars, so no value can
    break out of its field.
    """
    lines = [
        f"# Access review {campaign_id} ({_one_line(name)}): assignments its reviewers revoked.",
        "# Sojourn's compiler leaves these out of the desired state; `sojourn plan` shows the removals and",
        "# `sojourn apply` makes them. Delete an entry (and plan, apply) to grant the access again.",
        "revocations:" if revocations else "revocations: []",
    ]
    for r in revocations:
        principal = "person" if r.principal_type is PrincipalType.USER else "group"
        account_name = account_names.get(r.account_id)
        lines.append(
            f"  - account: {_q(r.account_id)}" + (f"  # {_one_line(account_name)}" if account_name else "")
        )
        lines.append(f"    permission_set: {_q(r.permission_set)}")
        lines.append(f"    {principal}: {_q(r.principal)}")
        lines.append(f"    review: {_q(r.campaign)}")
        lines.append(f"    decided_by: {_q(r.decided_by)}")
        lines.append(f"    comment: {_q(r.comment)}")
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _one_line(text: str) -> str:
    return " ".join(text.split())
