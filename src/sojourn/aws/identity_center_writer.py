"""Apply one planned change to Identity Center: idempotent, polled to completion, names resolved here."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

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
from sojourn.access.state import PermissionsBoundary, PermissionSetSpec
from sojourn.aws.calls import Caller, NotSupportedByEndpoint, error_code
from sojourn.aws.clients import AwsClients
from sojourn.aws.identity_index import IdentityIndex, InstanceRef
from sojourn.workflow.sessions import merged, split


class ChangeFailed(Exception):
    """AWS refused or failed a change; the message carries AWS's reason."""


class IdentityCenterWriter:
    def __init__(
        self,
        call: Caller,
        clients: AwsClients,
        instance: InstanceRef,
        index: IdentityIndex,
        poll_interval: float,
        poll_timeout: float,
    ) -> None:
        self.call, self.clients, self.instance, self.index = call, clients, instance, index
        self.poll_interval, self.poll_timeout = poll_interval, poll_timeout
        self.unsupported: set[str] = set()
        self._pairs: dict[tuple[str, str], set[str]] = {}
        self._pairs_lock = threading.Lock()
        self._inline_lock = threading.Lock()

    def apply(self, change: Change) -> ChangeOutcome:
        try:
            detail, request_id = self._dispatch(change)
        except (ChangeFailed, ClientError, NotSupportedByEndpoint) as error:
            return ChangeOutcome(change, False, str(error))
        return ChangeOutcome(change, True, detail, request_id)

    def _dispatch(self, change: Change) -> tuple[str, str | None]:
        if isinstance(change, AssignmentChange):
            return self._assignment(change)
        if isinstance(change, PermissionSetChange):
            return self._permission_set(change), None
        if isinstance(change, UserChange):
            return self._user(change), None
        if isinstance(change, GroupChange):
            return self._group(change), None
        return self._membership(change), None

    def _sso(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        return self.call(self.clients.sso_admin, operation, InstanceArn=self.instance.instance_arn, **kwargs)

    def _ids(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        return self.call(
            self.clients.identitystore, operation, IdentityStoreId=self.instance.identity_store_id, **kwargs
        )

    # assignments ---------------------------------------------------------------------------------

    def _assignment(self, change: AssignmentChange) -> tuple[str, str | None]:
        a = change.assignment
        arn = self._permission_set_arn(a.permission_set)
        table = "users" if a.principal_type == "USER" else "groups"
        principal_id = self._principal_id(table, a.principal)
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
            status = self._sso("create_account_assignment", **request)["AccountAssignmentCreationStatus"]
            final = self._poll(
                status,
                "describe_account_assignment_creation_status",
                "AccountAssignmentCreationRequestId",
                "AccountAssignmentCreationStatus",
            )
        else:
            try:
                status = self._sso("delete_account_assignment", **request)["AccountAssignmentDeletionStatus"]
            except ClientError as error:
                if error_code(error) == "ResourceNotFoundException":
                    return "already absent", None
                raise
            final = self._poll(
                status,
                "describe_account_assignment_deletion_status",
                "AccountAssignmentDeletionRequestId",
                "AccountAssignmentDeletionStatus",
            )
        self._remember_assignment(a.account_id, arn, principal_id, change.action is Action.CREATE)
        return final.get("Status", ""), final.get("RequestId")

    def _assignment_exists(self, account_id: str, arn: str, principal_id: str) -> bool:
        """One listing per (account, permission set), then kept up to date by this writer's own changes."""
        key = (account_id, arn)
        with self._pairs_lock:
            known = self._pairs.get(key)
        if known is None:
            listed = self.call.pages(
                self.clients.sso_admin,
                "list_account_assignments",
                "AccountAssignments",
                InstanceArn=self.instance.instance_arn,
                AccountId=account_id,
                PermissionSetArn=arn,
            )
            fresh = {item["PrincipalId"] for item in listed}
            with self._pairs_lock:
                known = self._pairs.setdefault(key, fresh)
        with self._pairs_lock:
            return principal_id in known

    def forget_assignments(self) -> None:
        """Drop what this writer knew of existing assignments (AWS may have changed since)."""
        with self._pairs_lock:
            self._pairs.clear()

    def _remember_assignment(self, account_id: str, arn: str, principal_id: str, present: bool) -> None:
        with self._pairs_lock:
            known = self._pairs.get((account_id, arn))
            if known is not None:
                if present:
                    known.add(principal_id)
                else:
                    known.discard(principal_id)

    def _poll(self, status: dict[str, Any], operation: str, id_field: str, key: str) -> dict[str, Any]:
        """Assignment operations are asynchronous: poll with growing intervals until they settle."""
        deadline = time.monotonic() + self.poll_timeout
        interval = self.poll_interval
        while status.get("Status") == "IN_PROGRESS":
            if time.monotonic() > deadline:
                raise ChangeFailed(
                    f"still IN_PROGRESS after {self.poll_timeout:.0f}s (request {status.get('RequestId')})"
                )
            time.sleep(interval)
            interval = min(interval * 2, 5.0)
            status = self._sso(operation, **{id_field: status["RequestId"]})[key]
        if status.get("Status") == "FAILED":
            raise ChangeFailed(f"AWS reports FAILED: {status.get('FailureReason', 'no reason given')}")
        return status

    # permission sets -----------------------------------------------------------------------------

    def _permission_set(self, change: PermissionSetChange) -> str:
        if change.action is Action.DELETE:
            arn = self.index.lookup("permission_sets", change.name) or self._find_permission_set(change.name)
            if arn is None:
                return "already absent"
            try:
                self._sso("delete_permission_set", PermissionSetArn=arn)
            except ClientError as error:
                if error_code(error) != "ResourceNotFoundException":
                    raise
            self.index.forget("permission_sets", change.name)
            return "deleted"
        assert change.after is not None
        spec = change.after
        if change.action is Action.CREATE:
            arn = self.index.lookup("permission_sets", change.name) or self._find_permission_set(change.name)
            if arn is None:
                created = self._sso(
                    "create_permission_set",
                    Name=spec.name,
                    **({"Description": spec.description} if spec.description else {}),
                    SessionDuration=spec.session_duration,
                    **({"Tags": [{"Key": k, "Value": v} for k, v in spec.tags]} if spec.tags else {}),
                )
                arn = created["PermissionSet"]["PermissionSetArn"]
                self.index.remember("permission_sets", spec.name, arn)
            self._converge_policies(arn, None, spec)
            return "created"
        arn = self._permission_set_arn(change.name)
        before = change.before
        if before is None or (before.description, before.session_duration) != (
            spec.description,
            spec.session_duration,
        ):
            self._sso(
                "update_permission_set",
                PermissionSetArn=arn,
                **({"Description": spec.description} if spec.description else {}),
                SessionDuration=spec.session_duration,
            )
        self._converge_policies(arn, before, spec)
        if change.provision_to:
            self._provision(arn)
        return f"updated; re-provisioned to {len(change.provision_to)} accounts"

    def _converge_policies(self, arn: str, before: PermissionSetSpec | None, spec: PermissionSetSpec) -> None:
        old_inline = before.inline_policy if before else None
        if spec.inline_policy != old_inline:
            if spec.inline_policy is None:
                self._sso("delete_inline_policy_from_permission_set", PermissionSetArn=arn)
            else:
                current = self._sso("get_inline_policy_for_permission_set", PermissionSetArn=arn).get(
                    "InlinePolicy"
                )
                _, revocations = split(json.loads(current) if current else None)
                document = json.loads(spec.inline_policy)
                document["Statement"] = [*_statement_list(document), *revocations]
                self._sso(
                    "put_inline_policy_to_permission_set",
                    PermissionSetArn=arn,
                    InlinePolicy=json.dumps(document),
                )
        old_managed = set(before.managed_policies) if before else set()
        for policy in sorted(set(spec.managed_policies) - old_managed):
            self._tolerate(
                "ConflictException",
                "attach_managed_policy_to_permission_set",
                PermissionSetArn=arn,
                ManagedPolicyArn=policy,
            )
        for policy in sorted(old_managed - set(spec.managed_policies)):
            self._tolerate(
                "ResourceNotFoundException",
                "detach_managed_policy_from_permission_set",
                PermissionSetArn=arn,
                ManagedPolicyArn=policy,
            )
        old_customer = set(before.customer_managed_policies) if before else set()
        for ref in sorted(set(spec.customer_managed_policies) - old_customer):
            self._tolerate(
                "ConflictException",
                "attach_customer_managed_policy_reference_to_permission_set",
                PermissionSetArn=arn,
                CustomerManagedPolicyReference={"Name": ref.name, "Path": ref.path},
            )
        for ref in sorted(old_customer - set(spec.customer_managed_policies)):
            self._tolerate(
                "ResourceNotFoundException",
                "detach_customer_managed_policy_reference_from_permission_set",
                PermissionSetArn=arn,
                CustomerManagedPolicyReference={"Name": ref.name, "Path": ref.path},
            )
        old_boundary = before.permissions_boundary if before else None
        if spec.permissions_boundary != old_boundary:
            if spec.permissions_boundary is None:
                self._sso("delete_permissions_boundary_from_permission_set", PermissionSetArn=arn)
            else:
                self._sso(
                    "put_permissions_boundary_to_permission_set",
                    PermissionSetArn=arn,
                    PermissionsBoundary=_boundary_request(spec.permissions_boundary),
                )

    def _tolerate(self, code: str, operation: str, **kwargs: Any) -> None:
        try:
            self._sso(operation, **kwargs)
        except ClientError as error:
            if error_code(error) != code:
                raise

    def revoke_sessions(
        self, permission_set: str, people: Sequence[tuple[str, datetime]], now: datetime
    ) -> str:
        """Deny these people's sessions of the permission set issued before their times, in every account:
        one inline-policy update and one re-provisioning for all of them."""
        arn = self._permission_set_arn(permission_set)
        ids = [(self._principal_id("users", name), before) for name, before in people]
        with self._inline_lock:
            described = self._sso("describe_permission_set", PermissionSetArn=arn)["PermissionSet"]
            lifetime = _iso_duration(described.get("SessionDuration", "PT12H"))
            current = self._sso("get_inline_policy_for_permission_set", PermissionSetArn=arn).get(
                "InlinePolicy"
            )
            before_update = json.loads(current) if current else None
            document = before_update
            for user_id, before in ids:
                document = merged(document, user_id, before, now, lifetime)
            if document == before_update:
                return "no change: those sessions were already denied"
            assert document is not None
            self._sso(
                "put_inline_policy_to_permission_set", PermissionSetArn=arn, InlinePolicy=json.dumps(document)
            )
            self._provision(arn)
        return f"sessions of {len(ids)} people denied"

    def _provision(self, arn: str) -> None:
        status = self._sso(
            "provision_permission_set", PermissionSetArn=arn, TargetType="ALL_PROVISIONED_ACCOUNTS"
        )["PermissionSetProvisioningStatus"]
        if "describe_permission_set_provisioning_status" in self.unsupported:
            return
        try:
            self._poll(
                status,
                "describe_permission_set_provisioning_status",
                "ProvisionPermissionSetRequestId",
                "PermissionSetProvisioningStatus",
            )
        except NotSupportedByEndpoint:
            self.unsupported.add("describe_permission_set_provisioning_status")

    def _find_permission_set(self, name: str) -> str | None:
        for arn in self.call.pages(
            self.clients.sso_admin,
            "list_permission_sets",
            "PermissionSets",
            InstanceArn=self.instance.instance_arn,
        ):
            described = self._sso("describe_permission_set", PermissionSetArn=arn)["PermissionSet"]
            self.index.remember("permission_sets", described["Name"], arn)
            if described["Name"] == name:
                return str(arn)
        return None

    def _permission_set_arn(self, name: str) -> str:
        arn = self.index.lookup("permission_sets", name) or self._find_permission_set(name)
        if arn is None:
            raise ChangeFailed(f"permission set {name!r} does not exist in Identity Center")
        return arn

    # identities ----------------------------------------------------------------------------------

    def _principal_id(self, table: str, name: str) -> str:
        known = self.index.lookup(table, name)
        if known:
            return known
        attribute = {"users": "userName", "groups": "displayName"}[table]
        try:
            answer = self._ids(
                "get_user_id" if table == "users" else "get_group_id",
                AlternateIdentifier={"UniqueAttribute": {"AttributePath": attribute, "AttributeValue": name}},
            )
        except ClientError as error:
            raise ChangeFailed(f"{table[:-1]} {name!r} is not in the identity store") from error
        identifier = str(answer["UserId" if table == "users" else "GroupId"])
        self.index.remember(table, name, identifier)
        return identifier

    def _user(self, change: UserChange) -> str:
        user = change.user
        if change.action is Action.CREATE:
            if self._exists("users", user.user_name):
                return "already present"
            created = self._ids(
                "create_user",
                UserName=user.user_name,
                DisplayName=user.display_name,
                Name={"GivenName": user.given_name, "FamilyName": user.family_name},
                **(
                    {"Emails": [{"Value": user.email, "Type": "work", "Primary": True}]} if user.email else {}
                ),
            )
            self.index.remember("users", user.user_name, created["UserId"])
            return "created"
        if not self._exists("users", user.user_name):
            return "already absent"
        user_id = self._principal_id("users", user.user_name)
        for membership in self.call.pages(
            self.clients.identitystore,
            "list_group_memberships_for_member",
            "GroupMemberships",
            IdentityStoreId=self.instance.identity_store_id,
            MemberId={"UserId": user_id},
        ):
            self._ids("delete_group_membership", MembershipId=membership["MembershipId"])
        self._ids("delete_user", UserId=user_id)
        self.index.forget("users", user.user_name)
        return "deleted"

    def _group(self, change: GroupChange) -> str:
        group = change.group
        if change.action is Action.CREATE:
            if self._exists("groups", group.name):
                return "already present"
            created = self._ids(
                "create_group",
                DisplayName=group.name,
                **({"Description": group.description} if group.description else {}),
            )
            self.index.remember("groups", group.name, created["GroupId"])
            return "created"
        if not self._exists("groups", group.name):
            return "already absent"
        self._ids("delete_group", GroupId=self._principal_id("groups", group.name))
        self.index.forget("groups", group.name)
        return "deleted"

    def _membership(self, change: MembershipChange) -> str:
        group_id = self._principal_id("groups", change.membership.group)
        user_id = self._principal_id("users", change.membership.user)
        member = {"UserId": user_id}
        existing = self._membership_id(group_id, member)
        if change.action is Action.CREATE:
            if existing:
                return "already present"
            self._ids("create_group_membership", GroupId=group_id, MemberId=member)
            return "created"
        if not existing:
            return "already absent"
        self._ids("delete_group_membership", MembershipId=existing)
        return "deleted"

    def _membership_id(self, group_id: str, member: dict[str, str]) -> str | None:
        try:
            return str(
                self._ids("get_group_membership_id", GroupId=group_id, MemberId=member)["MembershipId"]
            )
        except ClientError as error:
            if error_code(error) == "ResourceNotFoundException":
                return None
            raise

    def _exists(self, table: str, name: str) -> bool:
        try:
            self._principal_id(table, name)
        except ChangeFailed:
            return False
        return True


def _boundary_request(boundary: PermissionsBoundary) -> dict[str, Any]:
    if boundary.managed_policy_arn:
        return {"ManagedPolicyArn": boundary.managed_policy_arn}
    assert boundary.customer_managed is not None
    return {
        "CustomerManagedPolicyReference": {
            "Name": boundary.customer_managed.name,
            "Path": boundary.customer_managed.path,
        }
    }


def _statement_list(document: dict[str, Any]) -> list[Any]:
    found = document.get("Statement", [])
    return list(found) if isinstance(found, list) else [found]


def _iso_duration(text: str) -> timedelta:
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?", text)
    if not match:
        return timedelta(hours=12)
    return timedelta(hours=int(match.group(1) or 0), minutes=int(match.group(2) or 0))
