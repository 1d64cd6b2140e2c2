"""What credential hygiene is judged on: IAM's credential report, access keys, MFA, roles, the password policy
and who used their standing Identity Center assignments; plain values read by the adapter, no I/O here."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, datetime

ROOT_USER = "<root_account>"
"""The user name IAM's credential report gives the account's root user."""
_NO_DATE = frozenset({"", "N/A", "no_information", "not_supported"})


@dataclass(frozen=True, slots=True)
class KeySlot:
    """One of the two access key columns of a credential report row."""

    active: bool
    last_rotated: datetime | None
    last_used: datetime | None


@dataclass(frozen=True, slots=True)
class CredentialRow:
    """One user of the credential report (the root user is the row named `<root_account>`)."""

    user: str
    arn: str
    created: datetime | None
    password_enabled: bool
    password_last_used: datetime | None
    password_last_changed: datetime | None
    mfa_active: bool
    keys: tuple[KeySlot, ...] = ()

    @property
    def is_root(self) -> bool:
        return self.user == ROOT_USER


@dataclass(frozen=True, slots=True)
class AccessKeyFact:
    """One access key of an IAM user, with what GetAccessKeyLastUsed said of it."""

    user: str
    key_id: str
    active: bool
    created: datetime
    last_used: datetime | None


@dataclass(frozen=True, slots=True)
class RoleFact:
    """An IAM role and when it was last used (GetRole's RoleLastUsed; None when never or not tracked)."""

    name: str
    arn: str
    path: str
    created: datetime
    last_used: datetime | None

    @property
    def managed_by_aws(self) -> bool:
        """Service-linked and Identity Center roles: AWS creates and removes them, not their owner."""
        return self.path.startswith(("/aws-service-role/", "/aws-reserved/"))


@dataclass(frozen=True, slots=True)
class RootFacts:
    """Whether the root user has access keys and MFA (credential report's root row or the account summary)."""

    access_keys: bool
    mfa: bool


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """The account password policy; `present` False when the account has none (IAM's defaults apply)."""

    present: bool
    minimum_length: int = 0
    reuse_prevention: int = 0


@dataclass(frozen=True, slots=True)
class AccountHygiene:
    account_id: str
    name: str
    users: tuple[CredentialRow, ...] = ()
    keys: tuple[AccessKeyFact, ...] = ()
    mfa_users: frozenset[str] = frozenset()
    """Users with at least one MFA device (ListMFADevices)."""
    roles: tuple[RoleFact, ...] = ()
    root: RootFacts | None = None
    password_policy: PasswordPolicy | None = None
    """None when the policy could not be read (then no finding is made of it)."""


@dataclass(frozen=True, slots=True)
class AssignmentUse:
    """A person's standing Identity Center assignment and when they last used it (None: never seen)."""

    person: str
    permission_set: str
    account_id: str
    last_used: datetime | None


@dataclass(frozen=True, slots=True)
class HygieneFacts:
    accounts: tuple[AccountHygiene, ...] = ()
    assignments: tuple[AssignmentUse, ...] = ()
    activity_since: datetime | None = None
    """The oldest activity in the usage table: assignments are judged only when activity reaches back
    far enough to call them idle."""
    notes: tuple[str, ...] = field(default=())
    taken_at: datetime | None = None
    """When the facts were read (the report's "as of"); the rules are given `now` separately."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Days after which a credential or identity counts as unused, or a key as old (configurable)."""

    unused_days: int = 90
    key_age_days: int = 90
    idle_days: int = 90
    minimum_password_length: int = 14


class CredentialReportInvalid(ValueError):
    """The credential report is not the CSV IAM documents (a missing column, a bad date)."""


def parse_credential_report(text: str) -> tuple[CredentialRow, ...]:
    """The rows of IAM's credential report (CSV with a header line), in the report's order."""
    reader = csv.DictReader(text.splitlines())
    needed = {"user", "arn", "password_enabled", "mfa_active", "access_key_1_active"}
    missing = needed - set(reader.fieldnames or ())
    if missing:
        raise CredentialReportInvalid(f"credential report lacks the column(s) {', '.join(sorted(missing))}")
    rows = []
    for number, row in enumerate(reader, start=2):
        try:
            rows.append(_row(row))
        except ValueError as error:
            raise CredentialReportInvalid(f"credential report line {number}: {error}") from None
    return tuple(rows)


def _row(row: dict[str, str]) -> CredentialRow:
    keys = tuple(
        KeySlot(
            _flag(row.get(f"access_key_{n}_active")),
            report_date(row.get(f"access_key_{n}_last_rotated")),
            report_date(row.get(f"access_key_{n}_last_used_date")),
        )
        for n in (1, 2)
    )
    return CredentialRow(
        user=row["user"],
        arn=row["arn"],
        created=report_date(row.get("user_creation_time")),
        password_enabled=_flag(row.get("password_enabled")),
        password_last_used=report_date(row.get("password_last_used")),
        password_last_changed=report_date(row.get("password_last_changed")),
        mfa_active=_flag(row.get("mfa_active")),
        keys=keys,
    )


def _flag(text: str | None) -> bool:
    return (text or "").strip().lower() == "true"


def report_date(text: str | None) -> datetime | None:
    """A credential report time ("2026-01-02T03:04:05+00:00"); None for N/A, no_information, not_supported."""
    text = (text or "").strip()
    if text in _NO_DATE:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
