"""Apply one planned change to Identity Center: idempotent, polled to completion, names resolved here.

Assignments, users, groups and memberships are written here; permission sets and session revocation
in permission_set_writer.py; the instance-scoped calls both use in identity_center_calls.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime

from botocore.exceptions import ClientError

from sojourn.access.changes import (
    Action,
    AssignmentChange,
    Change,
    GroupChange,
    MembershipChange,
    PermissionSetChange,
    UserChange,
)
from sojourn.access.outcome import ChangeOutcome
from sojourn.access.state import Assignment
from sojourn.aws.assignment_watch import AssignmentWatch
from sojourn.aws.calls import NotSupportedByEndpoint, error_code
from sojourn.aws.identity_center_calls import ChangeFailed, InstanceCalls
from sojourn.aws.pacing import OutstandingWindow
from sojourn.aws.permission_set_writer import PermissionSetWriter

__all__ = ["ChangeFailed", "IdentityCenterWriter"]


class IdentityCenterWriter:
    """Every kind of planned change for one instance; AWS's refusals come back as outcomes, an AWS that does
    not answer (after the retries) as the network exception, so that apply stops and the worker retries."""

    def __init__(self, calls: InstanceCalls, window: OutstandingWindow | None = None) -> None:
        self.calls = calls
        self.watch = AssignmentWatch(
            calls, window or OutstandingWindow(10), max(calls.poll_interval, 0.05), calls.poll_timeout
        )
        self.permission_sets = PermissionSetWriter(self.calls)
        self._pairs: dict[tuple[str, str], set[str]] = {}
        self._pairs_lock = threading.Lock()
        self._listing: dict[tuple[str, str], threading.Lock] = {}
        """One lock per pair being listed, so that the workers on one pair wait for one listing."""
        self._listed_at: dict[tuple[str, str], float] = {}
        """When the listing behind each pair's set was started (monotonic seconds)."""
        self._forgotten_at = float("-inf")

    @property
    def unsupported(self) -> set[str]:
        return self.calls.unsupported

    def apply(self, change: Change) -> ChangeOutcome:
        try:
            detail, request_id = self._dispatch(change)
        except (ChangeFailed, ClientError, NotSupportedByEndpoint) as error:
            return ChangeOutcome(change, False, str(error))
        return ChangeOutcome(change, True, detail, request_id)

    def revoke_sessions(
        self, permission_set: str, people: Sequence[tuple[str, datetime]], now: datetime
    ) -> str:
        return self.permission_sets.revoke_sessions(permission_set, people, now)

    def _dispatch(self, change: Change) -> tuple[str, str | None]:
        if isinstance(change, AssignmentChange):
            return self._assignment(change)
        if isinstance(change, PermissionSetChange):
            return self.permission_sets.apply(change), None
        if isinstance(change, UserChange):
            return self._user(change), None
        if isinstance(change, GroupChange):
            return self._group(change), None
        return self._membership(change), None

    # assignments ---------------------------------------------------------------------------------

    def _assignment(self, change: AssignmentChange) -> tuple[str, str | None]:
        a = change.assignment
        calls = self.calls
        arn = calls.permission_set_arn(a.permission_set)
        table = "users" if a.principal_type == "USER" else "groups"
        principal_id = calls.principal_id(table, a.principal)
        request = {
            "TargetId": a.account_id,
            "TargetType": "AWS_ACCOUNT",
            "PermissionSetArn": arn,
            "PrincipalType": a.principal_type.value,
            "PrincipalId": principal_id,
        }
        if change.action is Action.CREATE:
            if self._assignment_exists(a.account_id, arn, principal_id):
                return "already present", None
            final = self.watch.run(
                "creation",
                lambda: calls.sso("create_account_assignment", **request)["AccountAssignmentCreationStatus"],
            )
        else:
            try:
                final = self.watch.run(
                    "deletion",
                    lambda: calls.sso("delete_account_assignment", **request)[
                        "AccountAssignmentDeletionStatus"
                    ],
                )
            except ClientError as error:
                if error_code(error) == "ResourceNotFoundException":
                    return "already absent", None
                raise
        self._remember_assignment(a.account_id, arn, principal_id, change.action is Action.CREATE)
        return final.get("Status", ""), final.get("RequestId")

    def _assignment_exists(
        self, account_id: str, arn: str, principal_id: str, *, listed_after: float = float("-inf")
    ) -> bool:
        """From a listing of the (account, permission set) started after `listed_after` and after the last
        `forget_assignments`, kept up to date by this writer's own changes since. One listing at a time per
        pair: a worker that finds one in flight waits for it and takes its answer when it started late
        enough (a listing started before a change may still show what the change undid)."""
        key = (account_id, arn)

        def usable() -> set[str] | None:
            known = self._pairs.get(key)
            started = self._listed_at.get(key, float("-inf"))
            return known if known is not None and started >= max(listed_after, self._forgotten_at) else None

        with self._pairs_lock:
            known = usable()
            listing = self._listing.setdefault(key, threading.Lock()) if known is None else None
        if listing is not None:
            with listing:
                with self._pairs_lock:
                    known = usable()
                if known is None:
                    started = time.monotonic()
                    listed = self.calls.call.pages(
                        self.calls.clients.sso_admin,
                        "list_account_assignments",
                        "AccountAssignments",
                        InstanceArn=self.calls.instance.instance_arn,
                        AccountId=account_id,
                        PermissionSetArn=arn,
                    )
                    known = {item["PrincipalId"] for item in listed}
                    with self._pairs_lock:
                        self._pairs[key], self._listed_at[key] = known, started
        with self._pairs_lock:
            return known is not None and principal_id in known

    def assignment_exists(self, assignment: Assignment) -> bool:
        """From a listing started after this call: what this writer remembers of the pair is not trusted."""
        asked = time.monotonic()
        calls = self.calls
        table = "users" if assignment.principal_type == "USER" else "groups"
        try:
            arn = calls.permission_set_arn(assignment.permission_set)
            principal_id = calls.principal_id(table, assignment.principal)
        except ChangeFailed:  # no such permission set or principal: no such assignment either
            return False
        return self._assignment_exists(assignment.account_id, arn, principal_id, listed_after=asked)

    def forget_assignments(self) -> None:
        """Drop what this writer knew of existing assignments (AWS may have changed since); a listing in
        flight now is not used either."""
        with self._pairs_lock:
            self._pairs.clear()
            self._forgotten_at = time.monotonic()

    def _remember_assignment(self, account_id: str, arn: str, principal_id: str, present: bool) -> None:
        with self._pairs_lock:
            known = self._pairs.get((account_id, arn))
            if known is not None:
                if present:
                    known.add(principal_id)
                else:
                    known.discard(principal_id)

    # identities ----------------------------------------------------------------------------------

    def _user(self, change: UserChange) -> str:
        user, calls = change.user, self.calls
        if change.action is Action.CREATE:
            if calls.exists("users", user.user_name):
                return "already present"
            created = calls.ids(
                "create_user",
                UserName=user.user_name,
                DisplayName=user.display_name,
                Name={"GivenName": user.given_name, "FamilyName": user.family_name},
                **(
                    {"Emails": [{"Value": user.email, "Type": "work", "Primary": True}]} if user.email else {}
                ),
            )
            calls.index.remember("users", user.user_name, created["UserId"])
            return "created"
        if not calls.exists("users", user.user_name):
            return "already absent"
        user_id = calls.principal_id("users", user.user_name)
        for membership in calls.call.pages(
            calls.clients.identitystore,
            "list_group_memberships_for_member",
            "GroupMemberships",
            IdentityStoreId=calls.instance.identity_store_id,
            MemberId={"UserId": user_id},
        ):
            calls.ids("delete_group_membership", MembershipId=membership["MembershipId"])
        calls.ids("delete_user", UserId=user_id)
        calls.index.forget("users", user.user_name)
        return "deleted"

    def _group(self, change: GroupChange) -> str:
        group, calls = change.group, self.calls
        if change.action is Action.CREATE:
            if calls.exists("groups", group.name):
                return "already present"
            created = calls.ids(
                "create_group",
                DisplayName=group.name,
                **({"Description": group.description} if group.description else {}),
            )
            calls.index.remember("groups", group.name, created["GroupId"])
            return "created"
        if not calls.exists("groups", group.name):
            return "already absent"
        calls.ids("delete_group", GroupId=calls.principal_id("groups", group.name))
        calls.index.forget("groups", group.name)
        return "deleted"

    def _membership(self, change: MembershipChange) -> str:
        calls = self.calls
        group_id = calls.principal_id("groups", change.membership.group)
        user_id = calls.principal_id("users", change.membership.user)
        member = {"UserId": user_id}
        existing = self._membership_id(group_id, member)
        if change.action is Action.CREATE:
            if existing:
                return "already present"
            calls.ids("create_group_membership", GroupId=group_id, MemberId=member)
            return "created"
        if not existing:
            return "already absent"
        calls.ids("delete_group_membership", MembershipId=existing)
        return "deleted"

    def _membership_id(self, group_id: str, member: dict[str, str]) -> str | None:
        try:
            return str(
                self.calls.ids("get_group_membership_id", GroupId=group_id, MemberId=member)["MembershipId"]
            )
        except ClientError as error:
            if error_code(error) == "ResourceNotFoundException":
                return None
            raise
