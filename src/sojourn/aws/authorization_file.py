"""Snapshots from saved `aws iam get-account-authorization-details` output (one file per account), for
accounts Sojourn cannot reach itself or for a report that someone else exported.

The account of each file is read from the ARNs in it, and the imported accounts are taken to be the whole
organisation. What such a file does not hold is left out and said in the snapshot's notes: SCPs and RCPs,
Identity Center roles, Lambda functions, resource policies and MFA devices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sojourn.analysis.snapshot import AccountSnapshot, Document, OrgSnapshot
from sojourn.aws.authorization_reader import account_from_details
from sojourn.service.ports.provider import DetailsUnreadable

LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
LEFT_OUT = "SCPs, RCPs, Identity Center roles, Lambda functions, resource policies and MFA devices"


class DetailsFileError(DetailsUnreadable):
    """A file that is not get-account-authorization-details output, or whose account cannot be told."""


def snapshot_from_details(files: Sequence[tuple[str, Any, str | None]], taken_at: str) -> OrgSnapshot:
    """(file name, decoded JSON, account id or None to read it from the ARNs) per account -> one snapshot;
    raises DetailsFileError naming the file."""
    accounts: list[AccountSnapshot] = []
    aws_policies: dict[str, Document] = {}
    notes = []
    for source, data, given in files:
        if not isinstance(data, Mapping) or not any(key in data for key in LISTS):
            raise DetailsFileError(
                f"{source}: not the output of `aws iam get-account-authorization-details` "
                f"(a JSON object with {', '.join(LISTS)})"
            )
        account_id = given or _account_of(source, data)
        if any(a.id == account_id for a in accounts):
            raise DetailsFileError(f"{source}: account {account_id} is in an earlier file already")
        try:
            snapshot, used = account_from_details([data], account_id, account_id)
        except (KeyError, TypeError, ValueError) as error:
            raise DetailsFileError(f"{source}: an entry lacks a field or is malformed ({error!r})") from error
        accounts.append(snapshot)
        aws_policies.update(used)
        notes.append(f"account {account_id} imported from {source}: {LEFT_OUT} are not in such a file")
    notes.append(
        "the organisation is taken to be the imported accounts: trust of any other account counts as "
        "external; import the management account and every member to judge trust as `sojourn snapshot` does"
    )
    return OrgSnapshot(tuple(accounts), None, aws_policies, taken_at, tuple(notes))


def _account_of(source: str, data: Mapping[str, Any]) -> str:
    found = set()
    for key in LISTS:
        for entry in data.get(key) or ():
            arn = entry.get("Arn", "") if isinstance(entry, Mapping) else ""
            parts = str(arn).split(":")
            if len(parts) > 4 and parts[4].isdigit():
                found.add(parts[4])
    if len(found) != 1:
        what = "no user, group, role or policy ARN" if not found else f"ARNs of {len(found)} accounts"
        raise DetailsFileError(
            f"{source}: holds {what}; export one account per file, or name its account as ACCOUNT_ID=FILE"
        )
    return found.pop()
