"""A second provider, for tests only: an in-memory cloud of folders, projects, roles and role bindings.

Its vocabulary is not AWS's on purpose (projects with labels in folders, roles with permissions, members
written "user:LOGIN" / "group:NAME", bindings of a member to a role on a project, session cut-offs), and it
imports nothing from `sojourn.aws`: `FakeCloudProvider` translates it to the provider port, which is what
shows that the control plane's plan/apply path needs no AWS code.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sojourn.access.changes import (
    Action,
    AssignmentChange,
    Change,
    GroupChange,
    MembershipChange,
    PermissionSetChange,
    UserChange,
)
from sojourn.access.organization import Account, Organization
from sojourn.access.outcome import ChangeOutcome, ReadResult
from sojourn.access.state import (
    AccessState,
    Assignment,
    GroupSpec,
    Membership,
    PermissionSetSpec,
    PrincipalType,
    UserSpec,
)


class FakeCloudError(Exception):
    """The fake cloud refused a request."""


@dataclass(frozen=True, slots=True)
class Project:
    project_id: str
    display_name: str
    folder: str
    """Slash-separated folder names from the organisation node, e.g. "/prod"."""
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CloudRole:
    role_id: str
    title: str
    permissions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CloudUser:
    login: str
    full_name: str
    email: str = ""
    given_name: str = ""
    family_name: str = ""


@dataclass(frozen=True, slots=True)
class Binding:
    project_id: str
    role_id: str
    member: str
    """"user:LOGIN" or "group:NAME"."""


class FakeCloud:
    """The cloud itself: its own API, its own errors, a count of every call."""

    def __init__(self, organization_name: str, projects: Sequence[Project]) -> None:
        self.organization_name = organization_name
        self.projects = {p.project_id: p for p in projects}
        self.roles: dict[str, CloudRole] = {}
        self.users: dict[str, CloudUser] = {}
        self.groups: dict[str, str] = {}
        """Group name -> about text."""
        self.group_members: dict[str, set[str]] = {}
        self.bindings: set[Binding] = set()
        self.session_cutoffs: dict[tuple[str, str], datetime] = {}
        """(role, login) -> sessions of that role started before this instant are refused."""
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()

    def _count(self, method: str) -> None:
        self.calls[method] += 1

    def list_projects(self) -> list[Project]:
        self._count("projects.list")
        return sorted(self.projects.values(), key=lambda p: p.project_id)

    def put_role(self, role: CloudRole) -> bool:
        """Create or replace a role; True when it was new."""
        self._count("roles.put")
        new = role.role_id not in self.roles
        self.roles[role.role_id] = role
        return new

    def delete_role(self, role_id: str) -> bool:
        self._count("roles.delete")
        if any(b.role_id == role_id for b in self.bindings):
            raise FakeCloudError(f"FAILED_PRECONDITION: role {role_id} is still bound")
        return self.roles.pop(role_id, None) is not None

    def create_user(self, user: CloudUser) -> bool:
        self._count("users.create")
        if user.login in self.users:
            return False
        self.users[user.login] = user
        return True

    def delete_user(self, login: str) -> bool:
        self._count("users.delete")
        for members in self.group_members.values():
            members.discard(login)
        return self.users.pop(login, None) is not None

    def create_group(self, name: str, about: str) -> bool:
        self._count("groups.create")
        if name in self.groups:
            return False
        self.groups[name] = about
        self.group_members[name] = set()
        return True

    def delete_group(self, name: str) -> bool:
        self._count("groups.delete")
        self.group_members.pop(name, None)
        return self.groups.pop(name, None) is not None

    def set_membership(self, group: str, login: str, member: bool) -> bool:
        """Add or remove a member; True when that changed something."""
        self._count("groups.members.patch")
        if group not in self.groups or login not in self.users:
            raise FakeCloudError(f"NOT_FOUND: group {group} or user {login}")
        members = self.group_members[group]
        changed = (login in members) != member
        if member:
            members.add(login)
        else:
            members.discard(login)
        return changed

    def set_binding(self, binding: Binding, bound: bool) -> bool:
        """Bind or unbind a member; True when that changed something."""
        self._count("projects.setIamBinding")
        kind, _, name = binding.member.partition(":")
        known = self.users if kind == "user" else self.groups
        if binding.project_id not in self.projects:
            raise FakeCloudError(f"NOT_FOUND: project {binding.project_id}")
        if binding.role_id not in self.roles or name not in known:
            raise FakeCloudError(f"NOT_FOUND: role {binding.role_id} or member {binding.member}")
        changed = (binding in self.bindings) != bound
        if bound:
            self.bindings.add(binding)
        else:
            self.bindings.discard(binding)
        return changed

    def cut_off_sessions(self, role_id: str, login: str, before: datetime) -> bool:
        """Refuse sessions of a role started before `before`; True when the cut-off moved."""
        self._count("roles.sessions.cutOff")
        if role_id not in self.roles:
            raise FakeCloudError(f"NOT_FOUND: role {role_id}")
        current = self.session_cutoffs.get((role_id, login))
        if current is not None and current >= before:
            return False
        self.session_cutoffs[(role_id, login)] = before
        return True


class FakeCloudProvider:
    """The fake cloud through the provider port: scopes are projects, permission sets are roles."""

    def __init__(self, cloud: FakeCloud) -> None:
        self.cloud = cloud

    @property
    def instance_id(self) -> str:
        return f"fakecloud:organizations/{self.cloud.organization_name}"

    def config_settings(self) -> Mapping[str, str]:
        return {}

    def caller_identity(self) -> str:
        return f"fakecloud:users/ci@{self.cloud.organization_name}"

    def read_organization(self, *, with_tags: bool = True) -> Organization:
        with self.cloud.lock:
            projects = self.cloud.list_projects()
        return Organization(
            tuple(
                Account(p.project_id, p.display_name, p.folder, dict(p.labels) if with_tags else {})
                for p in projects
            )
        )

    def read_state(
        self, organization: Organization, known_pairs: Collection[tuple[str, str]] = ()
    ) -> ReadResult:
        cloud = self.cloud
        in_scope = {a.id for a in organization.accounts}
        with cloud.lock:
            before = Counter(cloud.calls)
            cloud.calls["state.read"] += 1
            state = AccessState(
                {r.role_id: _spec(r) for r in cloud.roles.values()},
                {
                    u.login: UserSpec(u.login, u.full_name, u.email, u.given_name, u.family_name)
                    for u in cloud.users.values()
                },
                {name: GroupSpec(name, about) for name, about in cloud.groups.items()},
                frozenset(Membership(g, u) for g, members in cloud.group_members.items() for u in members),
                frozenset(_assignment(b) for b in cloud.bindings if b.project_id in in_scope),
            )
            used = cloud.calls - before
        return ReadResult(state, dict(used), "fakecloud-full")

    def apply_change(self, change: Change) -> ChangeOutcome:
        try:
            with self.cloud.lock:
                detail = self._apply(change)
        except FakeCloudError as error:
            return ChangeOutcome(change, False, str(error))
        return ChangeOutcome(change, True, detail)

    def apply_changes(
        self, changes: Iterable[Change], *, on_outcome: Callable[[ChangeOutcome], None]
    ) -> list[ChangeOutcome]:
        outcomes = []
        for change in changes:
            outcome = self.apply_change(change)
            outcomes.append(outcome)
            on_outcome(outcome)
        return outcomes

    def forget_assignments(self) -> None:
        """Nothing is cached."""

    def assignment_exists(self, assignment: Assignment) -> bool:
        with self.cloud.lock:
            self.cloud.calls["bindings.get"] += 1
            return _binding(assignment) in self.cloud.bindings

    def revoke_sessions(
        self, permission_set: str, people: Sequence[tuple[str, datetime]], now: datetime
    ) -> str:
        with self.cloud.lock:
            if permission_set not in self.cloud.roles:
                raise KeyError(f"no role {permission_set!r}")
            moved = sum(
                self.cloud.cut_off_sessions(permission_set, login, before) for login, before in people
            )
        return (
            f"sessions of {moved} people cut off"
            if moved
            else "no change: those sessions were already cut off"
        )

    def _apply(self, change: Change) -> str:
        cloud = self.cloud
        create = change.action is not Action.DELETE
        if isinstance(change, AssignmentChange):
            return _said(cloud.set_binding(_binding(change.assignment), create), create)
        if isinstance(change, MembershipChange):
            m = change.membership
            return _said(cloud.set_membership(m.group, m.user, create), create)
        if isinstance(change, UserChange):
            u = change.user
            if create:
                user = CloudUser(u.user_name, u.display_name, u.email, u.given_name, u.family_name)
                return _said(cloud.create_user(user), True)
            return _said(cloud.delete_user(u.user_name), False)
        if isinstance(change, GroupChange):
            if create:
                return _said(cloud.create_group(change.group.name, change.group.description), True)
            return _said(cloud.delete_group(change.group.name), False)
        return self._role(change)

    def _role(self, change: PermissionSetChange) -> str:
        if change.action is Action.DELETE:
            return _said(self.cloud.delete_role(change.name), False)
        assert change.after is not None
        self.cloud.put_role(_role(change.after))
        return change.action.value + "d"


def _role(spec: PermissionSetSpec) -> CloudRole:
    """A role holds a title and permissions; what only AWS has is refused rather than dropped."""
    aws_only = [
        label
        for label, used in (
            ("inline policy", spec.inline_policy is not None),
            ("customer managed policies", bool(spec.customer_managed_policies)),
            ("permissions boundary", spec.permissions_boundary is not None),
            ("session duration", spec.session_duration != PermissionSetSpec("").session_duration),
            ("tags", bool(spec.tags)),
        )
        if used
    ]
    if aws_only:
        raise FakeCloudError(f"INVALID_ARGUMENT: a role has no {', '.join(aws_only)}")
    return CloudRole(spec.name, spec.description, spec.managed_policies)


def _spec(role: CloudRole) -> PermissionSetSpec:
    return PermissionSetSpec(role.role_id, role.title, managed_policies=role.permissions)


def _binding(a: Assignment) -> Binding:
    kind = "user" if a.principal_type is PrincipalType.USER else "group"
    return Binding(a.account_id, a.permission_set, f"{kind}:{a.principal}")


def _assignment(b: Binding) -> Assignment:
    kind, _, name = b.member.partition(":")
    principal_type = PrincipalType.USER if kind == "user" else PrincipalType.GROUP
    return Assignment(b.project_id, b.role_id, principal_type, name)


def _said(changed: bool, create: bool) -> str:
    if create:
        return "created" if changed else "already present"
    return "deleted" if changed else "already absent"


def s1_projects() -> list[Project]:
    """Scenario S1's organisation as the fake cloud's projects and folders (ids are not AWS account ids)."""
    return [
        Project("acme-team-a-dev-4821", "team-a-dev", "/dev"),
        Project("acme-team-a-prod-1193", "team-a-prod", "/prod"),
        Project("acme-team-b-dev-7730", "team-b-dev", "/dev"),
        Project("acme-team-b-prod-2054", "team-b-prod", "/prod"),
        Project("acme-shared-services-6617", "shared-services", "/shared"),
        Project("acme-billing-3308", "billing", "/finance"),
    ]


def fresh_provider() -> FakeCloudProvider:
    return FakeCloudProvider(FakeCloud("acme", s1_projects()))
