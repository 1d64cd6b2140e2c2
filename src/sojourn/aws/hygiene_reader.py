"""Read credential hygiene facts from IAM in every account of the organisation (or the caller's only).

Each member account is read through a role assumed in it, like the snapshot; the caller's own account with
the caller's credentials. Per account: the credential report, every user's access keys with their last use
and MFA devices, the account summary (root keys and MFA), the password policy, and every role's last use.
An account that cannot be read is left out and named in the notes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sojourn.access.organization import Account
from sojourn.analysis.hygiene_facts import (
    AccessKeyFact,
    AccountHygiene,
    PasswordPolicy,
    RoleFact,
    RootFacts,
    parse_credential_report,
)
from sojourn.aws.calls import Caller, CallLog, RetryPolicy, error_code
from sojourn.aws.clients import client_factory
from sojourn.aws.gateway import Boto3IdentityCenter, NoIdentityCenter
from sojourn.aws.organization_reader import read_organization
from sojourn.aws.settings import AwsSettings
from sojourn.service.ports.hygiene import AccessState, AssignmentsUnavailable

REPORT_ATTEMPTS = 30
"""GenerateCredentialReport is asynchronous: how many times to ask before giving up on the report."""
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Boto3HygieneSource:
    """The hygiene facts of every account through boto3 (implements the HygieneSource port)."""

    settings: AwsSettings
    read_role: str
    sleep: Callable[[float], None] = time.sleep

    def read_accounts(
        self, progress: Progress | None = None
    ) -> tuple[tuple[AccountHygiene, ...], tuple[str, ...]]:
        call = Caller(CallLog(), RetryPolicy(max_attempts=self.settings.max_attempts))
        client = client_factory(self.settings)
        sts = client("sts")
        caller_account = call(sts, "get_caller_identity")["Account"]
        notes: list[str] = []
        try:
            accounts = read_organization(call, client("organizations"), with_tags=False).accounts
        except ClientError as error:
            if error_code(error) not in ("AWSOrganizationsNotInUseException", "AccessDeniedException"):
                raise
            notes.append(
                f"no organisation readable ({error_code(error)}): only account {caller_account} is read"
            )
            accounts = (Account(caller_account, caller_account, "/"),)
        done = 0

        def one(account: Account) -> AccountHygiene | None:
            nonlocal done
            try:
                return self._read_one(call, sts, caller_account, account)
            except (ClientError, BotoCoreError) as error:
                notes.append(f"account {account.name} ({account.id}) left out: {error}")
                return None
            finally:
                done += 1
                if progress:
                    progress(account.name, done, len(accounts))

        with ThreadPoolExecutor(self.settings.max_concurrency) as pool:
            found = [a for a in pool.map(one, accounts) if a is not None]
        return tuple(found), tuple(sorted(notes))

    def _read_one(self, call: Caller, sts: Any, caller_account: str, account: Account) -> AccountHygiene:
        credentials = None
        if account.id != caller_account:
            role_arn = f"arn:aws:iam::{account.id}:role/{self.read_role}"
            credentials = call(sts, "assume_role", RoleArn=role_arn, RoleSessionName="sojourn-hygiene")[
                "Credentials"
            ]
        iam = client_factory(self.settings, credentials)("iam")
        users = list(call.marker_pages(iam, "list_users", "Users"))
        keys: list[AccessKeyFact] = []
        mfa_users: set[str] = set()
        for user in users:
            name = user["UserName"]
            for key in call.marker_pages(iam, "list_access_keys", "AccessKeyMetadata", UserName=name):
                used = call(iam, "get_access_key_last_used", AccessKeyId=key["AccessKeyId"])
                last = used.get("AccessKeyLastUsed", {}).get("LastUsedDate")
                keys.append(
                    AccessKeyFact(
                        name,
                        key["AccessKeyId"],
                        key["Status"] == "Active",
                        _aware(key["CreateDate"]),
                        _maybe(last),
                    )
                )
            if any(True for _ in call.marker_pages(iam, "list_mfa_devices", "MFADevices", UserName=name)):
                mfa_users.add(name)
        summary = call(iam, "get_account_summary")["SummaryMap"]
        root = RootFacts(
            summary.get("AccountAccessKeysPresent", 0) > 0, summary.get("AccountMFAEnabled", 0) > 0
        )
        return AccountHygiene(
            account.id,
            account.name,
            users=parse_credential_report(self._credential_report(call, iam)),
            keys=tuple(keys),
            mfa_users=frozenset(mfa_users),
            roles=tuple(_roles(call, iam)),
            root=root,
            password_policy=_password_policy(call, iam),
        )

    def _credential_report(self, call: Caller, iam: Any) -> str:
        for attempt in range(REPORT_ATTEMPTS):
            if call(iam, "generate_credential_report").get("State") == "COMPLETE":
                break
            self.sleep(min(0.5 * (attempt + 1), 5.0))
        content: bytes = call(iam, "get_credential_report")["Content"]
        return content.decode("utf-8")


def _roles(call: Caller, iam: Any) -> list[RoleFact]:
    roles = []
    for listed in call.marker_pages(iam, "list_roles", "Roles"):
        role = call(iam, "get_role", RoleName=listed["RoleName"])["Role"]
        last = role.get("RoleLastUsed", {}).get("LastUsedDate")
        roles.append(
            RoleFact(
                role["RoleName"], role["Arn"], role.get("Path", "/"), _aware(role["CreateDate"]), _maybe(last)
            )
        )
    return roles


def _password_policy(call: Caller, iam: Any) -> PasswordPolicy:
    try:
        policy = call(iam, "get_account_password_policy")["PasswordPolicy"]
    except ClientError as error:
        if error_code(error) == "NoSuchEntity":
            return PasswordPolicy(False)
        raise
    return PasswordPolicy(
        True, int(policy.get("MinimumPasswordLength", 0)), int(policy.get("PasswordReusePrevention", 0))
    )


def _aware(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _maybe(moment: datetime | None) -> datetime | None:
    return _aware(moment) if moment is not None else None


def identity_center_assignments(settings: AwsSettings) -> AccessState:
    """Identity Center's observed state, every user and group asked (implements AssignmentsReader)."""
    try:
        gateway = Boto3IdentityCenter(replace(settings, read_strategy="principal"))
        return gateway.read_state(gateway.read_organization(with_tags=False)).state
    except (ClientError, BotoCoreError, NoIdentityCenter) as error:
        raise AssignmentsUnavailable(str(error)) from error
