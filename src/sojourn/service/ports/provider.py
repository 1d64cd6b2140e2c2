"""The provider seam: what the control plane needs of a cloud's identity and access service.

The access model speaks a cloud-neutral shape under names that came from AWS:
- an `Account` is a *scope* access is granted in (AWS account, GCP project, Azure subscription), with
  a path in the hierarchy (OU, folder, management group) and tags (tags, labels);
- a *permission set* is a named bundle of permissions a scope grants (GCP role, Azure role definition);
- users, groups and memberships are the provider's directory; an `Assignment` binds a principal to a
  bundle in a scope.
A provider translates between that shape and its own API. What is AWS-only is marked where it lives:
`PermissionSetSpec`'s policy fields (managed policy ARNs, customer managed policies, boundary, inline
IAM JSON, ISO session duration), the configuration's `settings` (`region`, `instance_arn`) and its AWS
validation (12-digit account ids, managed policy ARNs), and everything under `aws/`. A provider that
has no use for a field refuses a change that sets it, as a failed `ChangeOutcome`, never silently.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from sojourn.access.changes import Change
from sojourn.access.organization import Organization
from sojourn.access.outcome import ChangeOutcome, ReadResult
from sojourn.access.state import Assignment
from sojourn.analysis.snapshot import OrgSnapshot

SnapshotProgress = Callable[[str, int, int], None]
"""(scope name, done, total) as each scope is read."""


class Provider(Protocol):
    """Read the organisation and the access state, apply changes, end live sessions."""

    @property
    def instance_id(self) -> str:
        """A stable name of this provider instance; the store keeps the last applied state under it."""
        ...

    def config_settings(self) -> Mapping[str, str]:
        """The settings that pin a configuration to this instance (`sojourn import` writes them)."""
        ...

    def read_organization(self, *, with_tags: bool = True) -> Organization: ...

    def caller_identity(self) -> str:
        """Who the cloud knows the caller as (AWS: the ARN sts get-caller-identity answers)."""
        ...

    def read_state(
        self, organization: Organization, known_pairs: Collection[tuple[str, str]] = ()
    ) -> ReadResult:
        """The access state; `known_pairs` (scope id, permission set) are read even where others are not."""
        ...

    def apply_change(self, change: Change) -> ChangeOutcome:
        """Apply one change idempotently; a refusal or failure is an outcome, not an exception."""
        ...

    def apply_changes(
        self, changes: Iterable[Change], *, on_outcome: Callable[[ChangeOutcome], None]
    ) -> list[ChangeOutcome]:
        """Apply independent changes (possibly at once); `on_outcome` runs in the caller's thread for each."""
        ...

    def forget_assignments(self) -> None:
        """Drop what is remembered about existing assignments (another writer may have changed them)."""
        ...

    def assignment_exists(self, assignment: Assignment) -> bool:
        """Whether the assignment is there now, read from the cloud itself (never from what is remembered);
        the worker reads each removal back with it. A failure to read raises."""
        ...

    def revoke_sessions(
        self, permission_set: str, people: Sequence[tuple[str, datetime]], now: datetime
    ) -> str:
        """Deny sessions of `permission_set` issued to each person before their instant; a summary back.

        The summary starts with "no change" when every cut-off was already in place; an unknown permission
        set raises (the caller records the error against each removal).
        """
        ...


class PolicySource(Protocol):
    """Read every principal's policies across the organisation for offline analysis."""

    def read_snapshot(self, now: datetime, progress: SnapshotProgress | None = None) -> OrgSnapshot: ...


class DetailsUnreadable(ValueError):
    """Saved authorization details that make no snapshot; the message names the file and what is wrong."""


class DetailsReader(Protocol):
    """A snapshot from a provider's saved authorization details, for scopes it cannot read itself.

    Takes (file name, decoded JSON, scope id or None to read it from the file) per scope and the time the
    snapshot is stamped with; raises DetailsUnreadable.
    """

    def __call__(self, files: Sequence[tuple[str, Any, str | None]], taken_at: str, /) -> OrgSnapshot: ...
