"""OrgSnapshot to and from JSON values, versioned, so that a snapshot saved today loads tomorrow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sojourn.analysis.snapshot import (
    AccountSnapshot,
    Function,
    Group,
    InlinePolicy,
    OrgSnapshot,
    ResourcePolicy,
    Role,
    SsoAccess,
    User,
)

FORMAT = "sojourn-snapshot/2"
WITHOUT_RESOURCE_POLICIES = "sojourn-snapshot/1"
"""Format 1 had no resource policies; it loads with none and a note saying so."""


class SnapshotFormatError(ValueError):
    """The file is not a snapshot this version of Sojourn can read."""


def snapshot_to_json(snapshot: OrgSnapshot) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "organization_id": snapshot.organization_id,
        "taken_at": snapshot.taken_at,
        "notes": list(snapshot.notes),
        "aws_policies": dict(snapshot.aws_policies),
        "accounts": [_account_to_json(a) for a in snapshot.accounts],
    }


def snapshot_from_json(value: Mapping[str, Any]) -> OrgSnapshot:
    found = value.get("format")
    if found not in (FORMAT, WITHOUT_RESOURCE_POLICIES):
        raise SnapshotFormatError(
            f"expected format {FORMAT!r}, found {found!r}; take a new snapshot with `sojourn snapshot`"
        )
    notes = tuple(value.get("notes", ()))
    if found == WITHOUT_RESOURCE_POLICIES:
        notes += (
            f"snapshot format {found} holds no resource policies (S3, KMS, SQS, SNS, Secrets Manager, "
            "Lambda); take a new snapshot to evaluate them",
        )
    try:
        return OrgSnapshot(
            tuple(_account_from_json(a) for a in value["accounts"]),
            value.get("organization_id"),
            dict(value.get("aws_policies", {})),
            str(value.get("taken_at", "")),
            notes,
        )
    except (KeyError, TypeError) as error:
        raise SnapshotFormatError(f"snapshot is damaged: missing or wrong field {error}") from error


def _inline(items: tuple[InlinePolicy, ...]) -> list[dict[str, Any]]:
    return [{"name": p.name, "document": p.document} for p in items]


def _inline_from(items: Any) -> tuple[InlinePolicy, ...]:
    return tuple(InlinePolicy(p["name"], p["document"]) for p in items or ())


def _account_to_json(account: AccountSnapshot) -> dict[str, Any]:
    return {
        "id": account.id,
        "name": account.name,
        "roles": [
            {
                "arn": r.arn,
                "name": r.name,
                "trust": r.trust,
                "managed": list(r.managed),
                "inline": _inline(r.inline),
                "boundary": r.boundary,
                "permission_set": r.permission_set,
            }
            for r in account.roles
        ],
        "users": [
            {
                "arn": u.arn,
                "name": u.name,
                "managed": list(u.managed),
                "inline": _inline(u.inline),
                "groups": list(u.groups),
                "boundary": u.boundary,
                "has_mfa": u.has_mfa,
            }
            for u in account.users
        ],
        "groups": [
            {"arn": g.arn, "name": g.name, "managed": list(g.managed), "inline": _inline(g.inline)}
            for g in account.groups
        ],
        "functions": [{"arn": f.arn, "name": f.name, "role": f.role} for f in account.functions],
        "policies": dict(account.policies),
        "scps": [list(level) for level in account.scps],
        "rcps": [list(level) for level in account.rcps],
        "sso": [{"person": s.person, "role": s.role} for s in account.sso],
        "resource_policies": [
            {"arn": p.arn, "account": p.account, "service": p.service, "document": p.document}
            for p in account.resource_policies
        ],
    }


def _account_from_json(value: Mapping[str, Any]) -> AccountSnapshot:
    return AccountSnapshot(
        value["id"],
        value["name"],
        tuple(
            Role(
                r["arn"],
                r["name"],
                r["trust"],
                tuple(r.get("managed", ())),
                _inline_from(r.get("inline")),
                r.get("boundary"),
                r.get("permission_set"),
            )
            for r in value.get("roles", ())
        ),
        tuple(
            User(
                u["arn"],
                u["name"],
                tuple(u.get("managed", ())),
                _inline_from(u.get("inline")),
                tuple(u.get("groups", ())),
                u.get("boundary"),
                bool(u.get("has_mfa", False)),
            )
            for u in value.get("users", ())
        ),
        tuple(
            Group(g["arn"], g["name"], tuple(g.get("managed", ())), _inline_from(g.get("inline")))
            for g in value.get("groups", ())
        ),
        tuple(Function(f["arn"], f["name"], f["role"]) for f in value.get("functions", ())),
        dict(value.get("policies", {})),
        tuple(tuple(level) for level in value.get("scps", ())),
        tuple(tuple(level) for level in value.get("rcps", ())),
        tuple(SsoAccess(s["person"], s["role"]) for s in value.get("sso", ())),
        tuple(
            ResourcePolicy(p["arn"], p["account"], p["service"], p["document"])
            for p in value.get("resource_policies", ())
        ),
    )
