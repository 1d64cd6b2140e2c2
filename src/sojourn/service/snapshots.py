"""Organisation snapshots taken from AWS or from saved authorization details, saved and loaded."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sojourn.analysis.snapshot import OrgSnapshot
from sojourn.analysis.snapshot_codec import SnapshotFormatError, snapshot_from_json, snapshot_to_json
from sojourn.clock import Clock
from sojourn.inputs.bounded_json import DATA_MAX_BYTES
from sojourn.service.input_files import InputFileError, read_json_file
from sojourn.service.ports.provider import DetailsReader, DetailsUnreadable, PolicySource, SnapshotProgress


class SnapshotUnavailable(Exception):
    """A snapshot or one of its input files cannot be read; the message says which and why."""


@dataclass(frozen=True, slots=True)
class DetailsFile:
    """A saved `get-account-authorization-details` answer; `account` names it when it holds no ARN."""

    path: Path
    account: str | None = None


def read_live_snapshot(
    source: PolicySource, clock: Clock, progress: SnapshotProgress | None = None
) -> OrgSnapshot:
    """Every account's principals and policies, SCPs/RCPs and Identity Center roles, read from AWS now.

    `progress` is called with (account name, accounts read, accounts in all).
    """
    return source.read_snapshot(clock.now(), progress)


def snapshot_from_details_files(
    files: Sequence[DetailsFile], clock: Clock, read_details: DetailsReader
) -> OrgSnapshot:
    """A snapshot from saved authorization details, one file per account; nothing is read from AWS."""
    loaded = []
    for file in files:
        try:
            loaded.append((str(file.path), read_json_file(file.path, DATA_MAX_BYTES), file.account))
        except InputFileError as error:
            raise SnapshotUnavailable(
                f"{error}; the file cannot be read as JSON: give the AWS CLI's output as it was saved"
            ) from None
    try:
        return read_details(loaded, clock.now().isoformat(timespec="seconds"))
    except DetailsUnreadable as error:
        raise SnapshotUnavailable(str(error)) from None


def save_snapshot(snapshot: OrgSnapshot, out: Path) -> None:
    """Write the snapshot as the JSON that `load_snapshot` reads."""
    out.write_text(json.dumps(snapshot_to_json(snapshot), indent=1, sort_keys=True) + "\n")


def load_snapshot(path: Path) -> OrgSnapshot:
    """A snapshot saved by `save_snapshot`; raises SnapshotUnavailable when it is missing or not one."""
    if not path.exists():
        raise SnapshotUnavailable(f"{path} not found; take one with `sojourn snapshot --out {path}`")
    try:
        document = read_json_file(path, DATA_MAX_BYTES)
    except InputFileError as error:
        raise SnapshotUnavailable(f"{error}; take a new one with `sojourn snapshot --out {path}`") from None
    if not isinstance(document, dict):
        raise SnapshotUnavailable(f"{path} is not a Sojourn snapshot: it holds no JSON object")
    try:
        return snapshot_from_json(document)
    except (SnapshotFormatError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise SnapshotUnavailable(f"{path} is not a Sojourn snapshot: {error}") from None


def principal_count(snapshot: OrgSnapshot) -> int:
    """Roles and users over all accounts of the snapshot."""
    return sum(len(a.roles) + len(a.users) for a in snapshot.accounts)
