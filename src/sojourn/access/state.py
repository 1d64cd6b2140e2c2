"""Access state as plain values: what a provider's identity service holds, desired or observed.

The same shape describes the desired state (compiled from configuration) and the observed
state (read from the provider), so that a plan is a pure difference of two values. Everything is
keyed by *names* (permission-set name, user name, group display name, account id); a provider
maps names to its own identifiers (the AWS adapter to ARNs and ids). What in here is AWS-only is
listed in service/ports/provider.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import NamedTuple


class PrincipalType(StrEnum):
    USER = "USER"
    GROUP = "GROUP"


@dataclass(frozen=True, slots=True, order=True)
class CustomerManagedPolicyRef:
    name: str
    path: str = "/"


@dataclass(frozen=True, slots=True)
class PermissionsBoundary:
    """Either an AWS managed policy ARN or a customer managed policy reference."""

    managed_policy_arn: str | None = None
    customer_managed: CustomerManagedPolicyRef | None = None


@dataclass(frozen=True, slots=True)
class PermissionSetSpec:
    name: str
    description: str = ""
    session_duration: str = "PT1H"
    managed_policies: tuple[str, ...] = ()
    customer_managed_policies: tuple[CustomerManagedPolicyRef, ...] = ()
    inline_policy: str | None = None
    """Canonical JSON text (see `canonical_policy_json`), or None."""
    permissions_boundary: PermissionsBoundary | None = None
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class UserSpec:
    user_name: str
    display_name: str
    email: str = ""
    given_name: str = ""
    family_name: str = ""


@dataclass(frozen=True, slots=True)
class GroupSpec:
    name: str
    description: str = ""


class Membership(NamedTuple):
    group: str
    user: str


class Assignment(NamedTuple):
    """One account assignment; a tuple so that sets of 100,000 of them hash and sort at C speed."""

    account_id: str
    permission_set: str
    principal_type: PrincipalType
    principal: str
    """User name for USER, group display name for GROUP."""


@dataclass(frozen=True, slots=True)
class AccessState:
    """Permission sets, identities, memberships and account assignments of one instance."""

    permission_sets: Mapping[str, PermissionSetSpec] = field(default_factory=dict)
    users: Mapping[str, UserSpec] = field(default_factory=dict)
    groups: Mapping[str, GroupSpec] = field(default_factory=dict)
    memberships: frozenset[Membership] = frozenset()
    assignments: frozenset[Assignment] = frozenset()

    def fingerprint(self) -> str:
        """A stable digest of the whole state; a saved plan records it to detect later moves."""
        digest = hashlib.sha256()
        for name in sorted(self.permission_sets):
            digest.update(json.dumps(asdict(self.permission_sets[name]), sort_keys=True).encode())
        for name in sorted(self.users):
            digest.update(json.dumps(asdict(self.users[name]), sort_keys=True).encode())
        for name in sorted(self.groups):
            digest.update(json.dumps(asdict(self.groups[name]), sort_keys=True).encode())
        digest.update("\n".join(sorted("|".join(m) for m in self.memberships)).encode())
        digest.update(b"\n--\n")
        digest.update("\n".join(sorted("|".join(a) for a in self.assignments)).encode())
        return digest.hexdigest()


def canonical_policy_json(document: object) -> str:
    """Policy JSON in one canonical text so that equal documents compare equal."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))
