"""The OCSF event classes Sojourn's audit trail is exported as, on py-ocsf-models' objects.

py-ocsf-models (the OCSF model library kept by Prowler) carries the shared objects (metadata, product,
cloud, account, api, group, policy, resource details) and the base event, but of the event classes only
the findings. The Identity & Access Management and Application Activity classes below are written on
its base event from OCSF 1.5.0, the schema version the library speaks; `tests/access/test_audit_ocsf.py`
validates every exported kind against that schema. OCSF's user object is written here too: the library's
requires an account and a type id where OCSF asks only for one of name, uid or account.
"""

from __future__ import annotations

from typing import Any, Literal

from py_ocsf_models import OCSF_VERSION
from py_ocsf_models.events.base_event import BaseEvent
from py_ocsf_models.objects.account import Account
from py_ocsf_models.objects.api import API
from py_ocsf_models.objects.cloud import Cloud
from py_ocsf_models.objects.group import Group
from py_ocsf_models.objects.metadata import Metadata
from py_ocsf_models.objects.policy import Policy
from py_ocsf_models.objects.product import Product
from py_ocsf_models.objects.resource_details import ResourceDetails
from pydantic import BaseModel

__all__ = [
    "API",
    "OCSF_VERSION",
    "Account",
    "AccountChange",
    "Actor",
    "ApiActivity",
    "Authorization",
    "BaseAuditEvent",
    "Cloud",
    "EntityManagement",
    "Group",
    "GroupManagement",
    "ManagedEntity",
    "Metadata",
    "NetworkEndpoint",
    "OcsfUser",
    "Policy",
    "Product",
    "ResourceDetails",
    "UserAccessManagement",
]

IAM = (3, "Identity & Access Management")
APPLICATION = (6, "Application Activity")


class OcsfUser(BaseModel):
    """OCSF `user`: a person of the configuration, an AWS principal, a token or Sojourn itself."""

    name: str | None = None
    uid: str | None = None
    type: str | None = None
    type_id: int | None = None
    account: Account | None = None


class Authorization(BaseModel):
    """OCSF `authorization`: the decision taken and the policy (rule) it was taken under."""

    decision: str
    policy: Policy | None = None


class Actor(BaseModel):
    """OCSF `actor`: who did it, and the authorisation decisions that let (or did not let) it happen."""

    user: OcsfUser | None = None
    app_name: str | None = None
    authorizations: list[Authorization] | None = None


class ManagedEntity(BaseModel):
    """OCSF `managed_entity`: a permission set, an access request or an API token as managed objects."""

    name: str | None = None
    uid: str | None = None
    type: str | None = None
    data: dict[str, Any] | None = None


class NetworkEndpoint(BaseModel):
    """OCSF `network_endpoint`, named by the service that made the call."""

    svc_name: str


class BaseAuditEvent(BaseEvent):  # type: ignore[misc]  # the library ships no type hints marker
    """The attributes every exported class carries: classification, time, status and the cloud profile.

    `status_id` is the event status (OCSF: 0 unknown, 1 success, 2 failure, 99 other), not the
    finding status the library's base event names.
    """

    activity_id: int
    activity_name: str
    category_uid: int
    category_name: str
    class_uid: int
    class_name: str
    type_uid: int
    type_name: str
    time: int
    status_id: int
    cloud: Cloud
    actor: Actor | None = None


class UserAccessManagement(BaseAuditEvent):
    """OCSF 3005: privileges (permission sets) assigned to or revoked from a user on a resource."""

    user: OcsfUser
    privileges: list[str]
    resource: ResourceDetails | None = None


class GroupManagement(BaseAuditEvent):
    """OCSF 3006: a group created or deleted, a user added or removed, privileges given to a group."""

    group: Group
    user: OcsfUser | None = None
    privileges: list[str] | None = None
    resource: ResourceDetails | None = None


class AccountChange(BaseAuditEvent):
    """OCSF 3001: a user account created or deleted (Identity Center users)."""

    user: OcsfUser
    user_result: OcsfUser | None = None


class EntityManagement(BaseAuditEvent):
    """OCSF 3004: a managed entity created, changed or ended, with its state after the change."""

    entity: ManagedEntity
    entity_result: ManagedEntity | None = None
    comment: str | None = None


class ApiActivity(BaseAuditEvent):
    """OCSF 6003: an API activity: an apply run's calls to AWS, or an HTTP API call made for a person."""

    actor: Actor
    api: API
    src_endpoint: NetworkEndpoint


CLASSES: dict[str, tuple[int, str, tuple[int, str]]] = {
    "account_change": (3001, "Account Change", IAM),
    "entity_management": (3004, "Entity Management", IAM),
    "user_access": (3005, "User Access Management", IAM),
    "group_management": (3006, "Group Management", IAM),
    "api_activity": (6003, "API Activity", APPLICATION),
}
"""OCSF class name -> (class uid, caption, (category uid, category caption))."""

ClassName = Literal["account_change", "entity_management", "user_access", "group_management", "api_activity"]
