"""Hygiene facts as JSON (format sojourn-hygiene/1): the checks' examples, `sojourn hygiene --save` and
`--from`, read back exactly."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sojourn.analysis.hygiene_facts import (
    AccessKeyFact,
    AccountHygiene,
    AssignmentUse,
    CredentialRow,
    HygieneFacts,
    KeySlot,
    PasswordPolicy,
    RoleFact,
    RootFacts,
)

FORMAT = "sojourn-hygiene/1"


class HygieneFactsInvalid(ValueError):
    """A hygiene facts document that is not format sojourn-hygiene/1."""


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def facts_to_json(facts: HygieneFacts) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "taken_at": _time(facts.taken_at),
        "activity_since": _time(facts.activity_since),
        "notes": list(facts.notes),
        "accounts": [_account(a) for a in facts.accounts],
        "assignments": [
            {
                "person": u.person,
                "permission_set": u.permission_set,
                "account_id": u.account_id,
                "last_used": _time(u.last_used),
            }
            for u in facts.assignments
        ],
    }


def _account(a: AccountHygiene) -> dict[str, Any]:
    return {
        "id": a.account_id,
        "name": a.name,
        "users": [
            {
                "user": r.user,
                "arn": r.arn,
                "created": _time(r.created),
                "password_enabled": r.password_enabled,
                "password_last_used": _time(r.password_last_used),
                "password_last_changed": _time(r.password_last_changed),
                "mfa_active": r.mfa_active,
                "keys": [
                    {
                        "active": k.active,
                        "last_rotated": _time(k.last_rotated),
                        "last_used": _time(k.last_used),
                    }
                    for k in r.keys
                ],
            }
            for r in a.users
        ],
        "keys": [
            {
                "user": k.user,
                "key_id": k.key_id,
                "active": k.active,
                "created": _time(k.created),
                "last_used": _time(k.last_used),
            }
            for k in a.keys
        ],
        "mfa_users": sorted(a.mfa_users),
        "roles": [
            {
                "name": r.name,
                "arn": r.arn,
                "path": r.path,
                "created": _time(r.created),
                "last_used": _time(r.last_used),
            }
            for r in a.roles
        ],
        "root": None if a.root is None else {"access_keys": a.root.access_keys, "mfa": a.root.mfa},
        "password_policy": None
        if a.password_policy is None
        else {
            "present": a.password_policy.present,
            "minimum_length": a.password_policy.minimum_length,
            "reuse_prevention": a.password_policy.reuse_prevention,
        },
    }


def facts_from_json(document: Mapping[str, Any]) -> HygieneFacts:
    """The facts a document holds; raises HygieneFactsInvalid naming what is wrong."""
    if document.get("format") != FORMAT:
        raise HygieneFactsInvalid(f"not a hygiene facts document (format {document.get('format')!r})")
    try:
        return HygieneFacts(
            accounts=tuple(_read_account(a) for a in document.get("accounts", [])),
            assignments=tuple(
                AssignmentUse(
                    u["person"], u["permission_set"], u["account_id"], _parse_time(u.get("last_used"))
                )
                for u in document.get("assignments", [])
            ),
            activity_since=_parse_time(document.get("activity_since")),
            notes=tuple(document.get("notes", [])),
            taken_at=_parse_time(document.get("taken_at")),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise HygieneFactsInvalid(f"hygiene facts: {type(error).__name__}: {error}") from None


def _read_account(a: Mapping[str, Any]) -> AccountHygiene:
    root, policy = a.get("root"), a.get("password_policy")
    return AccountHygiene(
        account_id=a["id"],
        name=a.get("name", a["id"]),
        users=tuple(
            CredentialRow(
                r["user"],
                r["arn"],
                _parse_time(r.get("created")),
                bool(r.get("password_enabled")),
                _parse_time(r.get("password_last_used")),
                _parse_time(r.get("password_last_changed")),
                bool(r.get("mfa_active")),
                tuple(
                    KeySlot(
                        bool(k["active"]), _parse_time(k.get("last_rotated")), _parse_time(k.get("last_used"))
                    )
                    for k in r.get("keys", [])
                ),
            )
            for r in a.get("users", [])
        ),
        keys=tuple(
            AccessKeyFact(
                k["user"],
                k["key_id"],
                bool(k["active"]),
                _required_time(k["created"]),
                _parse_time(k.get("last_used")),
            )
            for k in a.get("keys", [])
        ),
        mfa_users=frozenset(a.get("mfa_users", [])),
        roles=tuple(
            RoleFact(
                r["name"],
                r["arn"],
                r.get("path", "/"),
                _required_time(r["created"]),
                _parse_time(r.get("last_used")),
            )
            for r in a.get("roles", [])
        ),
        root=None if root is None else RootFacts(bool(root["access_keys"]), bool(root["mfa"])),
        password_policy=None
        if policy is None
        else PasswordPolicy(
            bool(policy["present"]),
            int(policy.get("minimum_length", 0)),
            int(policy.get("reuse_prevention", 0)),
        ),
    )


def _required_time(value: Any) -> datetime:
    moment = _parse_time(value)
    if moment is None:
        raise ValueError("a time is missing")
    return moment
