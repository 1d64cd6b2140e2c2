"""Issue 16, item 4: every audit record kind exported as its OCSF class and valid against OCSF 1.5.0."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sojourn.access.audit import GENESIS, AuditEvent, AuditRecord, chain_next
from sojourn.access.audit_ocsf import CHANGE_SUFFIXES, KINDS, kind_of, ocsf_class, ocsf_event
from sojourn.access.changes import (
    Action,
    AssignmentChange,
    Change,
    GroupChange,
    MembershipChange,
    PermissionSetChange,
    UserChange,
)
from sojourn.access.state import Assignment, GroupSpec, Membership, PermissionSetSpec, PrincipalType, UserSpec
from sojourn.service.change_events import change_event
from sojourn.store.grants import audit_events
from sojourn.workflow.effects import Audit
from sojourn.workflow.grant_request import GrantRequest, State
from tests.access.ocsf_schema import class_name_of, ocsf_problems

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PROD = "111111111111"
NAMES = {PROD: "prod"}
SRC = Path(__file__).resolve().parents[2] / "src" / "sojourn"


def _record(event: AuditEvent) -> AuditRecord:
    return chain_next(7, GENESIS, event)


ADMIN = PermissionSetSpec("prod-admin", managed_policies=("arn:aws:iam::aws:policy/AdministratorAccess",))
READ = PermissionSetSpec("prod-admin", managed_policies=("arn:aws:iam::aws:policy/ReadOnlyAccess",))
CHANGES: dict[str, Change] = {
    "assignment.create": AssignmentChange(
        Action.CREATE, Assignment(PROD, "prod-admin", PrincipalType.USER, "alice")
    ),
    "assignment.delete": AssignmentChange(
        Action.DELETE, Assignment(PROD, "prod-admin", PrincipalType.USER, "alice")
    ),
    "permission_set.create": PermissionSetChange(Action.CREATE, "prod-admin", None, ADMIN),
    "permission_set.update": PermissionSetChange(Action.UPDATE, "prod-admin", READ, ADMIN, (PROD,)),
    "permission_set.delete": PermissionSetChange(Action.DELETE, "prod-admin", ADMIN, None),
    "user.create": UserChange(Action.CREATE, UserSpec("alice", "Alice A", "alice@example.com")),
    "user.delete": UserChange(Action.DELETE, UserSpec("alice", "Alice A")),
    "user.update": UserChange(Action.UPDATE, UserSpec("alice", "Alice B")),
    "group.create": GroupChange(Action.CREATE, GroupSpec("platform")),
    "group.delete": GroupChange(Action.DELETE, GroupSpec("platform")),
    "group.update": GroupChange(Action.UPDATE, GroupSpec("platform", "renamed")),
    "membership.create": MembershipChange(Action.CREATE, Membership("platform", "alice")),
    "membership.delete": MembershipChange(Action.DELETE, Membership("platform", "alice")),
}
SUFFIX_DETAILS = {
    "": {"aws": "done", "request_id": "req-1"},
    ".intent": {"position": 0},
    ".failed": {"aws": "AccessDeniedException: sso:CreateAccountAssignment", "request_id": "req-2"},
    ".reconciled": {"in_aws": True, "interrupted_run": "run-1"},
}


def _change_record(kind: str, suffix: str) -> AuditRecord:
    event = change_event(
        CHANGES[kind],
        at=AT,
        actor="ops",
        reason="quarterly change",
        suffix=suffix,
        details=SUFFIX_DETAILS[suffix],
    )
    return _record(event)


REQUEST = GrantRequest(
    id="r-42",
    person="alice",
    permission_set="prod-admin",
    accounts=(PROD,),
    duration=timedelta(hours=2),
    reason="incident 7",
    requested_at=AT,
    answer_by=AT + timedelta(hours=1),
    approvers=frozenset({"bob"}),
    state=State.ACTIVE,
    ends_at=AT + timedelta(hours=2),
)
JIT_ACTORS = {
    "request": "alice",
    "approve": "bob",
    "deny": "bob",
    "cancel": "alice",
    "revoke": "bob",
    "extend": "bob",
}


def _jit_record(action: str) -> AuditRecord:
    effect = Audit(action, JIT_ACTORS.get(action, "sojourn"), "why")
    return _record(audit_events(REQUEST, effect, AT)[0])


def _other_record(kind: str) -> AuditRecord:
    token = {"roles": ["requester"], "scopes": ["requests:write"], "expires_at": None}
    events = {
        "token.create": AuditEvent(
            AT, "ops", kind, "API token 'ci' issued", "token:t1", person="alice", details=token
        ),
        "token.revoke": AuditEvent(AT, "ops", kind, "API token 'ci' revoked", "token:t1", details=token),
        "token.on_behalf": AuditEvent(
            AT,
            "alice",
            kind,
            "approve via API token t1",
            "request:r-42",
            person="alice",
            details={"via_token": "t1", "token_name": "ci", "did": "approve"},
        ),
        "apply.start": AuditEvent(
            AT, "ops", kind, "r", "3 changes", details={"summary": {}, "instance": "i"}
        ),
        "apply.finish": AuditEvent(AT, "ops", kind, "r", "partial", details={"done": 2, "failed": 1}),
        "apply.interrupted": AuditEvent(AT, "ops", kind, "r", "the database is locked", details={"done": 1}),
        "apply.reconciled": AuditEvent(AT, "ops", kind, "r", "run x was interrupted", details={"applied": 1}),
    }
    return _record(events[kind])


def _record_of(kind: str, suffix: str = "") -> AuditRecord:
    if kind in CHANGES:
        return _change_record(kind, suffix)
    if kind.startswith("jit."):
        return _jit_record(kind.removeprefix("jit."))
    return _other_record(kind)


ALL_KINDS = [(kind, suffix) for kind in KINDS for suffix in (CHANGE_SUFFIXES if kind in CHANGES else ("",))]


@pytest.mark.parametrize(("kind", "suffix"), ALL_KINDS, ids=[k + s for k, s in ALL_KINDS])
def test_every_kind_exports_as_its_ocsf_class_and_validates(kind: str, suffix: str) -> None:
    record = _record_of(kind, suffix)
    assert record.event.action == kind + suffix
    exported = ocsf_event(record, NAMES)
    assert ocsf_problems(exported) == []
    expected_class = KINDS[kind][0]
    if record.event.after and record.event.after.get("principal_type") == "GROUP":
        expected_class = "group_management"
    assert class_name_of(exported) == expected_class
    assert exported["activity_id"] == KINDS[kind][1]
    assert exported["type_uid"] == exported["class_uid"] * 100 + exported["activity_id"]
    assert exported["time"] == int(AT.timestamp() * 1000)
    assert exported["metadata"]["uid"] == record.hash and exported["metadata"]["sequence"] == 7
    assert exported["unmapped"]["sojourn"]["action"] == kind + suffix


def test_a_grant_names_person_privilege_and_account() -> None:
    exported = ocsf_event(_jit_record("grant"), NAMES)
    assert exported["class_name"] == "User Access Management"
    assert exported["activity_name"] == "Assign Privileges"
    assert exported["user"]["name"] == "alice"
    assert exported["privileges"] == ["prod-admin"]
    assert exported["resource"] == {"uid": PROD, "name": "prod", "type": "AWS Account"}
    assert exported["cloud"]["account"]["name"] == "prod"


def test_approvals_and_denials_carry_the_authorisation_decision() -> None:
    approved = ocsf_event(_jit_record("approve"), NAMES)["actor"]
    denied = ocsf_event(_jit_record("deny"), NAMES)["actor"]
    assert approved["user"]["name"] == "bob"
    assert approved["authorizations"][0]["decision"] == "Approved"
    assert denied["authorizations"][0]["decision"] == "Denied"


def test_outcomes_map_to_ocsf_status() -> None:
    assert ocsf_event(_change_record("assignment.create", ""))["status_id"] == 1
    assert ocsf_event(_change_record("assignment.create", ".failed"))["status_id"] == 2
    assert ocsf_event(_change_record("assignment.create", ".intent"))["status_id"] == 0
    assert ocsf_event(_other_record("apply.finish"))["status_id"] == 2  # partial
    assert ocsf_event(_jit_record("provision-failed"))["status_id"] == 2


def test_a_permission_set_given_to_a_group_is_group_management() -> None:
    change = AssignmentChange(Action.CREATE, Assignment(PROD, "prod-admin", PrincipalType.GROUP, "platform"))
    event = change_event(change, at=AT, actor="ops", reason="r", details={})
    exported = ocsf_event(_record(event), NAMES)
    assert ocsf_problems(exported) == []
    assert (exported["class_name"], exported["activity_name"]) == ("Group Management", "Assign Privileges")
    assert exported["group"]["name"] == "platform" and exported["privileges"] == ["prod-admin"]


def test_an_unknown_kind_is_a_valid_base_event() -> None:
    exported = ocsf_event(_record(AuditEvent(AT, "ops", "future.thing", "r", "x")))
    assert exported["class_uid"] == 0
    assert ocsf_problems(exported) == []


def test_a_schema_violation_is_caught() -> None:
    exported = ocsf_event(_jit_record("grant"), NAMES)
    del exported["privileges"]
    exported["activity_id"] = 7
    assert len(ocsf_problems(exported)) == 2


def _produced_kinds() -> set[str]:
    """Every record kind the code appends, read from the modules that write them."""
    workflow = "".join(p.read_text() for p in (SRC / "workflow").glob("*.py"))
    jit = set(re.findall(r'Audit\(\s*"([a-z-]+)"', workflow))
    jit |= set(re.findall(r'source = "([a-z-]+)" if .* else "([a-z-]+)"', workflow)[0])
    service = "".join(p.read_text() for p in (SRC / "service").glob("*.py"))
    other = set(re.findall(r'"((?:apply|token)\.[a-z_]+)"', service))
    changes = {
        f"{kind}.{action.value}"
        for kind in ("assignment", "permission_set", "user", "group", "membership")
        for action in Action
    }
    return {f"jit.{a}" for a in jit} | other | changes


def test_every_kind_the_code_writes_has_an_ocsf_class() -> None:
    produced = _produced_kinds()
    assert {"jit.grant", "jit.auto", "jit.break-glass", "token.on_behalf", "apply.reconciled"} <= produced
    unmapped = {kind for kind in produced if ocsf_class(kind) == "base_event"}
    unmapped -= {"assignment.update", "membership.update"}  # no change of these kinds is ever an update
    assert unmapped == set()
    assert kind_of("assignment.create.reconciled") == ("assignment.create", ".reconciled")
