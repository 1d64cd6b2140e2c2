"""Audit records as OCSF events: one OCSF class per record kind (docs/audit.md, "OCSF export").

Pure: a record and the account names known go in, a JSON-ready dict comes out. Every kind Sojourn
writes has its class here (`KINDS`); a kind this version does not know is exported as OCSF's base event
so that an export never stops on a newer record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from sojourn.access.audit import AuditEvent, AuditRecord
from sojourn.access.audit_ocsf_model import (
    API,
    CLASSES,
    OCSF_VERSION,
    Account,
    AccountChange,
    Actor,
    ApiActivity,
    Authorization,
    BaseAuditEvent,
    ClassName,
    Cloud,
    EntityManagement,
    Group,
    GroupManagement,
    ManagedEntity,
    Metadata,
    NetworkEndpoint,
    OcsfUser,
    Policy,
    Product,
    ResourceDetails,
    UserAccessManagement,
)

SUCCESS, FAILURE, UNKNOWN, OTHER = 1, 2, 0, 99
STATUS_NAMES = {SUCCESS: "Success", FAILURE: "Failure", UNKNOWN: "Unknown", OTHER: "Other"}
CHANGE_KINDS = ("assignment", "permission_set", "user", "group", "membership")
CHANGE_SUFFIXES = ("", ".intent", ".failed", ".reconciled")
AWS_ACCOUNT_TYPE = 10

# kind -> (OCSF class, activity id, activity caption); change kinds take every suffix of CHANGE_SUFFIXES
KINDS: dict[str, tuple[ClassName, int, str]] = {
    "assignment.create": ("user_access", 1, "Assign Privileges"),
    "assignment.delete": ("user_access", 2, "Revoke Privileges"),
    "permission_set.create": ("entity_management", 1, "Create"),
    "permission_set.update": ("entity_management", 3, "Update"),
    "permission_set.delete": ("entity_management", 4, "Delete"),
    "user.create": ("account_change", 1, "Create"),
    "user.delete": ("account_change", 6, "Delete"),
    "user.update": ("account_change", 99, "Other"),
    "group.create": ("group_management", 6, "Create"),
    "group.delete": ("group_management", 5, "Delete"),
    "group.update": ("group_management", 99, "Other"),
    "membership.create": ("group_management", 3, "Add User"),
    "membership.delete": ("group_management", 4, "Remove User"),
    "jit.request": ("entity_management", 1, "Create"),
    "jit.approve": ("entity_management", 3, "Update"),
    "jit.deny": ("entity_management", 3, "Update"),
    "jit.auto": ("entity_management", 3, "Update"),
    "jit.break-glass": ("entity_management", 3, "Update"),
    "jit.on-call": ("entity_management", 3, "Update"),
    "jit.extend": ("entity_management", 3, "Update"),
    "jit.cancel": ("entity_management", 11, "Deactivate"),
    "jit.expire-unapproved": ("entity_management", 11, "Deactivate"),
    "jit.grant": ("user_access", 1, "Assign Privileges"),
    "jit.provision-retry": ("user_access", 1, "Assign Privileges"),
    "jit.provision-failed": ("user_access", 1, "Assign Privileges"),
    "jit.revoke": ("user_access", 2, "Revoke Privileges"),
    "jit.expire": ("user_access", 2, "Revoke Privileges"),
    "token.create": ("entity_management", 1, "Create"),
    "token.revoke": ("entity_management", 9, "Disable"),
    "token.on_behalf": ("api_activity", 99, "Other"),
    "apply.start": ("api_activity", 3, "Update"),
    "apply.finish": ("api_activity", 3, "Update"),
    "apply.interrupted": ("api_activity", 3, "Update"),
    "apply.reconciled": ("api_activity", 3, "Update"),
}
DECISIONS = {
    "jit.approve": "Approved",
    "jit.deny": "Denied",
    "jit.auto": "Approved by rule",
    "jit.break-glass": "Approved as break-glass",
    "jit.on-call": "Approved by on-call rotation",
}


def kind_of(action: str) -> tuple[str, str]:
    """("assignment.create", ".failed") from "assignment.create.failed"; other kinds have no suffix."""
    for suffix in CHANGE_SUFFIXES[1:]:
        base = action.removesuffix(suffix)
        if base != action and base.split(".", 1)[0] in CHANGE_KINDS:
            return base, suffix
    return action, ""


def ocsf_class(action: str) -> str:
    """The OCSF class an audit record of ACTION is exported as ("base_event" for an unknown kind)."""
    known = KINDS.get(kind_of(action)[0])
    return known[0] if known else "base_event"


def ocsf_event(record: AuditRecord, account_names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The record as one OCSF event (JSON-ready), in the class its kind maps to."""
    names = account_names or {}
    kind, suffix = kind_of(record.event.action)
    known = KINDS.get(kind)
    if known is None:
        return _base_event(record, names)
    class_name, activity_id, activity_name = known
    build = _BUILDERS[class_name]
    common = _common(
        record, names, class_name, activity_id, activity_name, _status(record.event, kind, suffix)
    )
    event = build(record.event, kind, names, common)
    return dict(event.model_dump(mode="json", exclude_none=True))


def ocsf_line(record: AuditRecord, account_names: Mapping[str, str] | None = None) -> str:
    """The record as one OCSF JSON line."""
    return json.dumps(ocsf_event(record, account_names), sort_keys=True) + "\n"


def _status(event: AuditEvent, kind: str, suffix: str) -> tuple[int, str | None]:
    if suffix == ".intent":
        return UNKNOWN, "intent recorded before the AWS call; its outcome is a later record"
    if suffix == ".failed":
        return FAILURE, str(event.details.get("aws") or event.target)
    if suffix == ".reconciled":
        made = bool(event.details.get("in_aws"))
        return (SUCCESS if made else FAILURE), "reconciled after an interrupted apply"
    if kind in ("jit.provision-failed", "jit.provision-retry", "apply.interrupted"):
        return FAILURE, event.reason if kind != "apply.interrupted" else event.target
    if kind == "jit.deny":
        return SUCCESS, "request denied"
    if kind == "apply.start":
        return OTHER, "started"
    if kind == "apply.reconciled":
        return OTHER, event.target
    if kind == "apply.finish":
        return (SUCCESS if event.target == "succeeded" else FAILURE), event.target
    return SUCCESS, None


def _common(
    record: AuditRecord,
    names: Mapping[str, str],
    class_name: str,
    activity_id: int,
    activity_name: str,
    status: tuple[int, str | None],
) -> dict[str, Any]:
    event = record.event
    class_uid, class_caption, (category_uid, category_name) = CLASSES[class_name]
    status_id, status_detail = status
    return {
        "activity_id": activity_id,
        "activity_name": activity_name,
        "category_uid": category_uid,
        "category_name": category_name,
        "class_uid": class_uid,
        "class_name": class_caption,
        "type_uid": class_uid * 100 + activity_id,
        "type_name": f"{class_caption}: {activity_name}",
        "time": int(event.at.timestamp() * 1000),
        "severity_id": 3 if event.action.startswith("jit.break-glass") else 1,
        "severity": "Medium" if event.action.startswith("jit.break-glass") else "Informational",
        "status_id": status_id,
        "status": STATUS_NAMES[status_id],
        "status_detail": status_detail,
        "message": f"{event.action}: {event.target}" + (f" ({event.reason})" if event.reason else ""),
        "metadata": _metadata(record),
        "cloud": _cloud(event.account_id, names),
        "actor": _actor(event),
        "unmapped": _unmapped(record),
    }


def _metadata(record: AuditRecord) -> Metadata:
    event = record.event
    correlation = event.run_id or event.details.get("request") or event.details.get("interrupted_run")
    return Metadata(
        version=OCSF_VERSION,
        product=Product(name="Sojourn", vendor_name="Sojourn"),
        uid=record.hash,
        sequence=record.seq,
        event_code=event.action,
        correlation_uid=None if correlation is None else str(correlation),
        log_name="sojourn.audit",
        profiles=["cloud"],
    )


def _account(account_id: str, names: Mapping[str, str]) -> Account:
    return Account(uid=account_id, name=names.get(account_id, account_id), type_id=AWS_ACCOUNT_TYPE)


def _cloud(account_id: str | None, names: Mapping[str, str]) -> Cloud:
    return Cloud(provider="AWS", account=None if account_id is None else _account(account_id, names))


def _user(name: str) -> OcsfUser:
    if name == "sojourn":
        return OcsfUser(name=name, uid=name, type="System", type_id=3)
    return OcsfUser(name=name, uid=name, type="User", type_id=1)


def _actor(event: AuditEvent) -> Actor:
    decision = DECISIONS.get(event.action)
    rule = event.reason if event.action in ("jit.auto", "jit.break-glass") else event.permission_set
    authorizations = (
        None
        if decision is None
        else [Authorization(decision=decision, policy=Policy(name=rule or "approval"))]
    )
    return Actor(user=_user(event.actor), app_name="Sojourn", authorizations=authorizations)


def _unmapped(record: AuditRecord) -> dict[str, Any]:
    event = record.event
    fields = {
        "action": event.action,
        "target": event.target,
        "reason": event.reason,
        "person": event.person,
        "permission_set": event.permission_set,
        "run_id": event.run_id,
        "before": event.before,
        "after": event.after,
        "details": dict(event.details),
        "prev_hash": record.prev_hash,
    }
    return {"sojourn": {key: value for key, value in fields.items() if value not in (None, {})}}


def _resource(account_id: str | None, names: Mapping[str, str]) -> ResourceDetails | None:
    if account_id is None:
        return None
    return ResourceDetails(uid=account_id, name=names.get(account_id, account_id), type="AWS Account")


def _document(event: AuditEvent) -> Mapping[str, Any]:
    return event.after or event.before or {}


def _user_access(
    event: AuditEvent, kind: str, names: Mapping[str, str], common: dict[str, Any]
) -> BaseAuditEvent:
    document = _document(event)
    if document.get("principal_type") == "GROUP":  # a permission set given to a group is Group Management
        group_common = common | _reclassed("group_management", common["activity_id"], common["activity_name"])
        return GroupManagement(
            **group_common,
            group=Group(name=str(document["principal"]), type="Identity Center group"),
            privileges=[event.permission_set or ""],
            resource=_resource(event.account_id, names),
        )
    return UserAccessManagement(
        **common,
        user=_user(event.person or str(document.get("principal", ""))),
        privileges=[event.permission_set or ""],
        resource=_resource(event.account_id, names),
    )


def _reclassed(class_name: str, activity_id: int, activity_name: str) -> dict[str, Any]:
    class_uid, caption, (category_uid, category_name) = CLASSES[class_name]
    return {
        "class_uid": class_uid,
        "class_name": caption,
        "category_uid": category_uid,
        "category_name": category_name,
        "type_uid": class_uid * 100 + activity_id,
        "type_name": f"{caption}: {activity_name}",
    }


def _group_management(
    event: AuditEvent, kind: str, names: Mapping[str, str], common: dict[str, Any]
) -> BaseAuditEvent:
    document = _document(event)
    group = document.get("group")
    group_name = group.get("name") if isinstance(group, Mapping) else group
    user = document.get("user") if kind.startswith("membership.") else None
    return GroupManagement(
        **common,
        group=Group(name=str(group_name), type="Identity Center group"),
        user=None if user is None else _user(str(user)),
    )


def _account_change(
    event: AuditEvent, kind: str, names: Mapping[str, str], common: dict[str, Any]
) -> BaseAuditEvent:
    user = _document(event).get("user") or {}
    name = event.person or str(user.get("user_name", event.target))
    return AccountChange(
        **common, user=_user(name), user_result=_user(name) if kind == "user.create" else None
    )


def _entity_management(
    event: AuditEvent, kind: str, names: Mapping[str, str], common: dict[str, Any]
) -> BaseAuditEvent:
    if kind.startswith("permission_set."):
        entity = ManagedEntity(name=event.permission_set, uid=event.permission_set, type="Permission Set")
        after = dict(event.after) if event.after is not None else None
        result = None if after is None else entity.model_copy(update={"data": after})
    else:
        noun = "API Token" if kind.startswith("token.") else "Access Request"
        uid = event.target.split(":", 1)[-1]
        entity = ManagedEntity(name=event.permission_set or event.target, uid=uid, type=noun)
        result = entity.model_copy(update={"data": _entity_data(event)})
    return EntityManagement(**common, entity=entity, entity_result=result, comment=event.reason or None)


def _entity_data(event: AuditEvent) -> dict[str, Any]:
    keep = ("state", "accounts", "approved_by", "source", "ends_at", "roles", "scopes", "expires_at")
    return {key: event.details[key] for key in keep if key in event.details}


def _api_activity(
    event: AuditEvent, kind: str, names: Mapping[str, str], common: dict[str, Any]
) -> BaseAuditEvent:
    if kind == "token.on_behalf":
        operation, service = str(event.details.get("did", "call")), "sojourn-api"
    else:
        operation, service = kind, "sojourn"
    return ApiActivity(**common, api=API(operation=operation), src_endpoint=NetworkEndpoint(svc_name=service))


_BUILDERS: dict[str, Callable[[AuditEvent, str, Mapping[str, str], dict[str, Any]], BaseAuditEvent]] = {
    "user_access": _user_access,
    "group_management": _group_management,
    "account_change": _account_change,
    "entity_management": _entity_management,
    "api_activity": _api_activity,
}


def _base_event(record: AuditRecord, names: Mapping[str, str]) -> dict[str, Any]:
    """OCSF's base event (class 0) for a kind this version does not map."""
    event = record.event
    common = _common(record, names, "api_activity", 99, "Other", (OTHER, "kind not mapped"))
    common |= {
        "class_uid": 0,
        "class_name": "Base Event",
        "category_uid": 0,
        "category_name": "Uncategorized",
        "type_uid": 99,
        "type_name": "Base Event: Other",
        "status_detail": f"{event.action} has no OCSF class in this version of Sojourn",
        "actor": None,  # the base event has no actor: it is kept among the unmapped fields
    }
    common["unmapped"]["sojourn"]["actor"] = event.actor
    return dict(BaseAuditEvent(**common).model_dump(mode="json", exclude_none=True))
