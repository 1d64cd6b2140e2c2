"""Permission sets in Identity Center: create, update, delete, converge their policies, deny live sessions."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from sojourn.access.changes import Action, PermissionSetChange
from sojourn.access.state import PermissionsBoundary, PermissionSetSpec
from sojourn.aws.calls import error_code
from sojourn.aws.identity_center_calls import InstanceCalls
from sojourn.aws.session_policy import merged, split


class PermissionSetWriter:
    """Writes one instance's permission sets; inline-policy updates are serialised (read, merge, put)."""

    def __init__(self, calls: InstanceCalls) -> None:
        self.calls = calls
        self._inline_lock = threading.Lock()

    def apply(self, change: PermissionSetChange) -> str:
        calls = self.calls
        if change.action is Action.DELETE:
            arn = calls.index.lookup("permission_sets", change.name) or calls.find_permission_set(change.name)
            if arn is None:
                return "already absent"
            try:
                calls.sso("delete_permission_set", PermissionSetArn=arn)
            except ClientError as error:
                if error_code(error) != "ResourceNotFoundException":
                    raise
            calls.index.forget("permission_sets", change.name)
            return "deleted"
        assert change.after is not None
        spec = change.after
        if change.action is Action.CREATE:
            arn = calls.index.lookup("permission_sets", change.name) or calls.find_permission_set(change.name)
            if arn is None:
                created = calls.sso(
                    "create_permission_set",
                    Name=spec.name,
                    **({"Description": spec.description} if spec.description else {}),
                    SessionDuration=spec.session_duration,
                    **({"Tags": [{"Key": k, "Value": v} for k, v in spec.tags]} if spec.tags else {}),
                )
                arn = created["PermissionSet"]["PermissionSetArn"]
                calls.index.remember("permission_sets", spec.name, arn)
            self._converge_policies(arn, None, spec)
            return "created"
        arn = calls.permission_set_arn(change.name)
        before = change.before
        if before is None or (before.description, before.session_duration) != (
            spec.description,
            spec.session_duration,
        ):
            calls.sso(
                "update_permission_set",
                PermissionSetArn=arn,
                **({"Description": spec.description} if spec.description else {}),
                SessionDuration=spec.session_duration,
            )
        self._converge_policies(arn, before, spec)
        if change.provision_to:
            calls.provision(arn)
        return f"updated; re-provisioned to {len(change.provision_to)} accounts"

    def _converge_policies(self, arn: str, before: PermissionSetSpec | None, spec: PermissionSetSpec) -> None:
        old_inline = before.inline_policy if before else None
        if spec.inline_policy != old_inline:
            if spec.inline_policy is None:
                self.calls.sso("delete_inline_policy_from_permission_set", PermissionSetArn=arn)
            else:
                current = self.calls.sso("get_inline_policy_for_permission_set", PermissionSetArn=arn).get(
                    "InlinePolicy"
                )
                _, revocations = split(json.loads(current) if current else None)
                document = json.loads(spec.inline_policy)
                document["Statement"] = [*_statement_list(document), *revocations]
                self.calls.sso(
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
                self.calls.sso("delete_permissions_boundary_from_permission_set", PermissionSetArn=arn)
            else:
                self.calls.sso(
                    "put_permissions_boundary_to_permission_set",
                    PermissionSetArn=arn,
                    PermissionsBoundary=_boundary_request(spec.permissions_boundary),
                )

    def _tolerate(self, code: str, operation: str, **kwargs: Any) -> None:
        try:
            self.calls.sso(operation, **kwargs)
        except ClientError as error:
            if error_code(error) != code:
                raise

    def revoke_sessions(
        self, permission_set: str, people: Sequence[tuple[str, datetime]], now: datetime
    ) -> str:
        """Deny these people's sessions of the permission set issued before their times, in every account:
        one inline-policy update and one re-provisioning for all of them."""
        calls = self.calls
        arn = calls.permission_set_arn(permission_set)
        ids = [(calls.principal_id("users", name), before) for name, before in people]
        with self._inline_lock:
            described = calls.sso("describe_permission_set", PermissionSetArn=arn)["PermissionSet"]
            lifetime = _iso_duration(described.get("SessionDuration", "PT12H"))
            current = calls.sso("get_inline_policy_for_permission_set", PermissionSetArn=arn).get(
                "InlinePolicy"
            )
            before_update = json.loads(current) if current else None
            document = before_update
            for user_id, before in ids:
                document = merged(document, user_id, before, now, lifetime)
            if document == before_update:
                return "no change: those sessions were already denied"
            assert document is not None
            calls.sso(
                "put_inline_policy_to_permission_set", PermissionSetArn=arn, InlinePolicy=json.dumps(document)
            )
            calls.provision(arn)
        return f"sessions of {len(ids)} people denied"


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
