"""Credential hygiene checks: root keys and MFA, users without MFA, unused passwords and keys, old keys, idle
roles and idle standing assignments. Each check is pure: facts, `now` and the thresholds in, findings out."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sojourn.analysis.finding import CheckMeta, Finding, Risk
from sojourn.analysis.hygiene_facts import AccountHygiene, HygieneFacts, RootFacts, Thresholds

EXAMPLE_NOW = "2026-06-01T00:00:00+00:00"
_LONG_AGO = "2025-01-01T00:00:00+00:00"
_ACCOUNT = "111122223333"


def _example(**account: Any) -> str:
    """A one-account facts document (format sojourn-hygiene/1) read at EXAMPLE_NOW."""
    extra = account.pop("document", {})
    body = {"id": _ACCOUNT, "name": "example", **account}
    return json.dumps({"format": "sojourn-hygiene/1", "taken_at": EXAMPLE_NOW, "accounts": [body], **extra})


def _user(name: str, **fields: Any) -> dict[str, Any]:
    return {"user": name, "arn": f"arn:aws:iam::{_ACCOUNT}:user/{name}", "created": _LONG_AGO, **fields}


ROOT_ACCESS_KEY = CheckMeta(
    id="root-access-key",
    severity=Risk.CRITICAL,
    title="The root user has an access key",
    remediation="Delete the root user's access keys; use an IAM role or Identity Center for automation.",
    example=_example(root={"access_keys": True, "mfa": True}),
)
ROOT_WITHOUT_MFA = CheckMeta(
    id="root-without-mfa",
    severity=Risk.HIGH,
    title="The root user has no MFA device",
    remediation="Enable MFA on the root user (a hardware key kept in a safe, with its password).",
    example=_example(root={"access_keys": False, "mfa": False}),
)
CONSOLE_WITHOUT_MFA = CheckMeta(
    id="user-console-without-mfa",
    severity=Risk.HIGH,
    title="An IAM user signs in to the console without MFA",
    remediation="Enable an MFA device for the user, or remove the console password if nobody signs in.",
    example=_example(users=[_user("bob", password_enabled=True, password_last_used=EXAMPLE_NOW)]),
)
PASSWORD_UNUSED = CheckMeta(
    id="password-unused",
    severity=Risk.MEDIUM,
    title="A console password has not been used for the threshold's days",
    remediation="Delete the login profile (aws iam delete-login-profile); the user can be given one again.",
    example=_example(users=[_user("carol", password_enabled=True, mfa_active=True)]),
)
KEY_UNUSED = CheckMeta(
    id="access-key-unused",
    severity=Risk.MEDIUM,
    title="An active access key has not been used for the threshold's days",
    remediation="Deactivate the key, and delete it once nothing has complained.",
    example=_example(
        keys=[{"user": "ci", "key_id": "AKIAEXAMPLEUNUSED", "active": True, "created": _LONG_AGO}]
    ),
)
KEY_OLD = CheckMeta(
    id="access-key-old",
    severity=Risk.MEDIUM,
    title="An active access key is older than the threshold's days",
    remediation="Rotate it (`sojourn keys rotate --user NAME --secret ID`), or move the workload to a role.",
    example=_example(
        keys=[
            {
                "user": "ci",
                "key_id": "AKIAEXAMPLEOLD",
                "active": True,
                "created": _LONG_AGO,
                "last_used": EXAMPLE_NOW,
            }
        ]
    ),
)
ROLE_IDLE = CheckMeta(
    id="role-idle",
    severity=Risk.LOW,
    title="An IAM role has not been used for the threshold's days",
    remediation="Delete the role if nothing needs it (check its trust policy for who could assume it).",
    example=_example(
        roles=[{"name": "old-batch", "arn": f"arn:aws:iam::{_ACCOUNT}:role/old-batch", "created": _LONG_AGO}]
    ),
)
ASSIGNMENT_IDLE = CheckMeta(
    id="standing-assignment-unused",
    severity=Risk.LOW,
    title="A person has not used a standing permission set assignment for the threshold's days",
    remediation="Move this standing assignment to eligibility: let the person request it just in time.",
    example=_example(
        document={
            "activity_since": _LONG_AGO,
            "assignments": [{"person": "dave", "permission_set": "prod-admin", "account_id": _ACCOUNT}],
        }
    ),
)
WEAK_PASSWORD_POLICY = CheckMeta(
    id="password-policy-weak",
    severity=Risk.MEDIUM,
    title="The account has no password policy, or it allows short passwords",
    remediation="Set a password policy with a minimum length of at least 14 and reuse prevention.",
    example=_example(password_policy={"present": False}),
)


def _finding(meta: CheckMeta, account: AccountHygiene, principal: str, detail: str) -> Finding:
    return Finding(meta, f"aws:{account.account_id}", 0, 0, principal, detail)


def _days(now: datetime, since: datetime) -> int:
    return (now - since).days


def _root(account: AccountHygiene) -> tuple[str, RootFacts] | None:
    """The root user's facts: its credential report row when there is one, else the account summary's."""
    for row in account.users:
        if row.is_root:
            return row.arn, RootFacts(any(k.active for k in row.keys), row.mfa_active)
    if account.root is None:
        return None
    return f"arn:aws:iam::{account.account_id}:root", account.root


def root_access_key(facts: HygieneFacts, now: datetime, limits: Thresholds) -> Iterator[Finding]:
    for account in facts.accounts:
        root = _root(account)
        if root is not None and root[1].access_keys:
            yield _finding(
                ROOT_ACCESS_KEY, account, root[0], f"root of {account.name} has an active access key"
            )


def root_without_mfa(facts: HygieneFacts, now: datetime, limits: Thresholds) -> Iterator[Finding]:
    for account in facts.accounts:
        root = _root(account)
        if root is not None and not root[1].mfa:
            yield _finding(ROOT_WITHOUT_MFA, account, root[0], f"root of {account.name} has no MFA device")


def console_without_mfa(facts: HygieneFacts, now: datetime, limits: Thresholds) -> Iterator[Finding]:
    for account in facts.accounts:
        for row in account.users:
            if row.is_root or not row.password_enabled or row.mfa_active or row.user in account.mfa_users:
                continue
            yield _finding(
                CONSOLE_WITHOUT_MFA, account, row.arn, f"{row.user} has a console password and no MFA"
            )


def password_unused(facts: HygieneFacts, now: datetime, limits: Thresholds) -> Iterator[Finding]:
    cutoff = now - timedelta(days=limits.unused_days)
    for account in facts.accounts:
        for row in account.users:
            if row.is_root or not row.password_enabled:
                continue
            since = row.password_last_used or row.password_last_changed or row.created
            if since is None or since > cutoff:
                continue
            how = (
                f"last used {row.password_last_used.date()}"
                if row.password_last_used
                else f"never used, set {since.date()}"
            )
            detail = (
                f"{row.user}'s console password: {how} ({_days(now, since)} days, limit {limits.unused_days})"
            )
            yield _finding(PASSWORD_UNUSED, account, row.arn, detail)


@dataclass(frozen=True, slots=True)
class _Key:
    user: str
    arn: str
    label: str
    created: datetime | None
    last_used: datetime | None


def _active_keys(account: AccountHygiene) -> Iterator[_Key]:
    """Active keys of IAM users (not root): from ListAccessKeys/GetAccessKeyLastUsed where read, else from
    the credential report's key columns."""
    arns = {row.user: row.arn for row in account.users}
    read = {key.user for key in account.keys}
    for key in account.keys:
        if key.active:
            arn = arns.get(key.user, f"arn:aws:iam::{account.account_id}:user/{key.user}")
            yield _Key(key.user, arn, key.key_id, key.created, key.last_used)
    for row in account.users:
        if row.is_root or row.user in read:
            continue
        for number, slot in enumerate(row.keys, start=1):
            if slot.active:
                yield _Key(row.user, row.arn, f"access key {number}", slot.last_rotated, slot.last_used)


def key_unused(facts: HygieneFacts, now: datetime, limits: Thresholds) -> Iterator[Finding]:
    cutoff = now - timedelta(days=limits.unused_days)
    for account in facts.accounts:
        for key in _active_keys(account):
            since = key.last_used or key.created
            if since is None or since > cutoff:
                continue
            how = f"last used {key.last_used.date()}" if key.last_used else "never used"
            detail = f"{key.user}'s {key.label}: {how} ({_days(now, since)} days, limit {limits.unused_days})"
            yield _finding(KEY_UNUSED, account, key.arn, detail)


def key_old(facts: HygieneFacts, now: datetime, limits: Thresholds) -> Iterator[Finding]:
    cutoff = now - timedelta(days=limits.key_age_days)
    for account in facts.accounts:
        for key in _active_keys(account):
            if key.created is not None and key.created <= cutoff:
                age = _days(now, key.created)
                detail = f"{key.user}'s {key.label} is {age} days old (limit {limits.key_age_days})"
                yield _finding(KEY_OLD, account, key.arn, detail)


def role_idle(facts: HygieneFacts, now: datetime, limits: Thresholds) -> Iterator[Finding]:
    cutoff = now - timedelta(days=limits.idle_days)
    for account in facts.accounts:
        for role in account.roles:
            since = role.last_used or role.created
            if role.managed_by_aws or since > cutoff:
                continue
            how = (
                f"last used {role.last_used.date()}"
                if role.last_used
                else f"never used, created {role.created.date()}"
            )
            yield _finding(
                ROLE_IDLE, account, role.arn, f"role {role.name}: {how} ({_days(now, since)} days)"
            )


def assignment_idle(facts: HygieneFacts, now: datetime, limits: Thresholds) -> Iterator[Finding]:
    cutoff = now - timedelta(days=limits.idle_days)
    if facts.activity_since is None or facts.activity_since > cutoff:
        return  # activity does not reach back far enough to call anything idle
    names = {account.account_id: account for account in facts.accounts}
    for use in facts.assignments:
        if use.last_used is not None and use.last_used > cutoff:
            continue
        account = names.get(use.account_id, AccountHygiene(use.account_id, use.account_id))
        how = (
            f"last used {use.last_used.date()}"
            if use.last_used
            else f"not used since {facts.activity_since.date()}"
        )
        detail = (
            f"{use.person} holds {use.permission_set} in {account.name} standing and {how}: "
            "move this standing assignment to eligibility"
        )
        principal = f"identity-center:{use.person}/{use.permission_set}/{use.account_id}"
        yield _finding(ASSIGNMENT_IDLE, account, principal, detail)


def weak_password_policy(facts: HygieneFacts, now: datetime, limits: Thresholds) -> Iterator[Finding]:
    for account in facts.accounts:
        policy = account.password_policy
        if policy is None:
            continue
        principal = f"arn:aws:iam::{account.account_id}:root"
        if not policy.present:
            yield _finding(WEAK_PASSWORD_POLICY, account, principal, f"{account.name} has no password policy")
        elif policy.minimum_length < limits.minimum_password_length:
            detail = (
                f"{account.name}'s password policy allows {policy.minimum_length}-character passwords "
                f"(at least {limits.minimum_password_length} expected)"
            )
            yield _finding(WEAK_PASSWORD_POLICY, account, principal, detail)


HygieneRule = Callable[[HygieneFacts, datetime, Thresholds], Iterator[Finding]]


@dataclass(frozen=True, slots=True)
class HygieneCheck:
    meta: CheckMeta
    run: HygieneRule


HYGIENE_RULES: tuple[HygieneCheck, ...] = (
    HygieneCheck(ROOT_ACCESS_KEY, root_access_key),
    HygieneCheck(ROOT_WITHOUT_MFA, root_without_mfa),
    HygieneCheck(CONSOLE_WITHOUT_MFA, console_without_mfa),
    HygieneCheck(PASSWORD_UNUSED, password_unused),
    HygieneCheck(KEY_UNUSED, key_unused),
    HygieneCheck(KEY_OLD, key_old),
    HygieneCheck(ROLE_IDLE, role_idle),
    HygieneCheck(ASSIGNMENT_IDLE, assignment_idle),
    HygieneCheck(WEAK_PASSWORD_POLICY, weak_password_policy),
)
"""Every hygiene check, listed once."""


def hygiene_findings(
    facts: HygieneFacts,
    now: datetime,
    limits: Thresholds | None = None,
    rules: tuple[HygieneCheck, ...] = HYGIENE_RULES,
) -> list[Finding]:
    """Every finding of every hygiene check, worst first, then by account and principal."""
    limits = limits or Thresholds()
    found = [finding for rule in rules for finding in rule.run(facts, now, limits)]
    return sorted(found, key=lambda f: (-f.check.severity.rank, f.source, f.path, f.check.id))
