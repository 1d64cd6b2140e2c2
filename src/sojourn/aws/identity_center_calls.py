"""The calls every Identity Center write shares: instance-scoped requests, polling, names to ARNs and ids."""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError

from sojourn.aws.calls import Caller, NotSupportedByEndpoint
from sojourn.aws.clients import AwsClients
from sojourn.aws.identity_index import IdentityIndex, InstanceRef


class ChangeFailed(Exception):
    """AWS refused or failed a change; the message carries AWS's reason."""


class InstanceCalls:
    """sso-admin and identitystore calls bound to one instance, with the name index the writers share."""

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

    def sso(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        return self.call(self.clients.sso_admin, operation, InstanceArn=self.instance.instance_arn, **kwargs)

    def ids(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        return self.call(
            self.clients.identitystore, operation, IdentityStoreId=self.instance.identity_store_id, **kwargs
        )

    def poll(self, status: dict[str, Any], operation: str, id_field: str, key: str) -> dict[str, Any]:
        """Assignments and provisioning are asynchronous: poll with growing intervals until they settle."""
        deadline = time.monotonic() + self.poll_timeout
        interval = self.poll_interval
        while status.get("Status") == "IN_PROGRESS":
            if time.monotonic() > deadline:
                raise ChangeFailed(
                    f"still IN_PROGRESS after {self.poll_timeout:.0f}s (request {status.get('RequestId')})"
                )
            time.sleep(interval)
            interval = min(interval * 2, 5.0)
            status = self.sso(operation, **{id_field: status["RequestId"]})[key]
        return settled(status)

    def provision(self, arn: str) -> None:
        """Push a permission set's current policies to every account it is provisioned to."""
        status = self.sso(
            "provision_permission_set", PermissionSetArn=arn, TargetType="ALL_PROVISIONED_ACCOUNTS"
        )["PermissionSetProvisioningStatus"]
        if "describe_permission_set_provisioning_status" in self.unsupported:
            return
        try:
            self.poll(
                status,
                "describe_permission_set_provisioning_status",
                "ProvisionPermissionSetRequestId",
                "PermissionSetProvisioningStatus",
            )
        except NotSupportedByEndpoint:
            self.unsupported.add("describe_permission_set_provisioning_status")

    def find_permission_set(self, name: str) -> str | None:
        for arn in self.call.pages(
            self.clients.sso_admin,
            "list_permission_sets",
            "PermissionSets",
            InstanceArn=self.instance.instance_arn,
        ):
            described = self.sso("describe_permission_set", PermissionSetArn=arn)["PermissionSet"]
            self.index.remember("permission_sets", described["Name"], arn)
            if described["Name"] == name:
                return str(arn)
        return None

    def permission_set_arn(self, name: str) -> str:
        arn = self.index.lookup("permission_sets", name) or self.find_permission_set(name)
        if arn is None:
            raise ChangeFailed(f"permission set {name!r} does not exist in Identity Center")
        return arn

    def principal_id(self, table: str, name: str) -> str:
        known = self.index.lookup(table, name)
        if known:
            return known
        attribute = {"users": "userName", "groups": "displayName"}[table]
        try:
            answer = self.ids(
                "get_user_id" if table == "users" else "get_group_id",
                AlternateIdentifier={"UniqueAttribute": {"AttributePath": attribute, "AttributeValue": name}},
            )
        except ClientError as error:
            raise ChangeFailed(f"{table[:-1]} {name!r} is not in the identity store") from error
        identifier = str(answer["UserId" if table == "users" else "GroupId"])
        self.index.remember(table, name, identifier)
        return identifier

    def exists(self, table: str, name: str) -> bool:
        try:
            self.principal_id(table, name)
        except ChangeFailed:
            return False
        return True


def settled(status: dict[str, Any]) -> dict[str, Any]:
    """An asynchronous operation's final status, or ChangeFailed with AWS's reason when it FAILED."""
    if status.get("Status") == "FAILED":
        raise ChangeFailed(f"AWS reports FAILED: {status.get('FailureReason', 'no reason given')}")
    return status
