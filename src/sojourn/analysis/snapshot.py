"""A snapshot of who holds which policies across the organisation, kept as plain data so queries run offline.

Policy documents are stored as JSON values exactly as AWS returned them; managed policies once per account
(AWS managed ones once per snapshot) and referenced by ARN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Document = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class InlinePolicy:
    name: str
    document: Document


@dataclass(frozen=True, slots=True)
class Role:
    arn: str
    name: str
    trust: Document
    managed: tuple[str, ...] = ()
    inline: tuple[InlinePolicy, ...] = ()
    boundary: str | None = None
    permission_set: str | None = None
    """Set when the role is an Identity Center permission set provisioned into the account."""


@dataclass(frozen=True, slots=True)
class User:
    arn: str
    name: str
    managed: tuple[str, ...] = ()
    inline: tuple[InlinePolicy, ...] = ()
    groups: tuple[str, ...] = ()
    boundary: str | None = None
    has_mfa: bool = False


@dataclass(frozen=True, slots=True)
class Group:
    arn: str
    name: str
    managed: tuple[str, ...] = ()
    inline: tuple[InlinePolicy, ...] = ()


@dataclass(frozen=True, slots=True)
class Function:
    arn: str
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class ResourcePolicy:
    """A resource-based policy (bucket, key, queue, topic, secret or function policy) as AWS returned it."""

    arn: str
    account: str
    """The owning account; S3 bucket ARNs do not carry it."""
    service: str
    document: Document


@dataclass(frozen=True, slots=True)
class SsoAccess:
    """A person of the identity source who can sign in to an account through a permission set's role."""

    person: str
    role: str


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    id: str
    name: str
    roles: tuple[Role, ...] = ()
    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()
    functions: tuple[Function, ...] = ()
    policies: Mapping[str, Document] = field(default_factory=dict)
    """Customer managed policies of this account, by ARN (default version)."""
    scps: tuple[tuple[Document, ...], ...] = ()
    """One tuple per level, root first; empty when SCPs are not in use."""
    rcps: tuple[tuple[Document, ...], ...] = ()
    sso: tuple[SsoAccess, ...] = ()
    resource_policies: tuple[ResourcePolicy, ...] = ()


@dataclass(frozen=True, slots=True)
class OrgSnapshot:
    accounts: tuple[AccountSnapshot, ...]
    organization_id: str | None = None
    aws_policies: Mapping[str, Document] = field(default_factory=dict)
    """AWS managed policies that some identity uses, by ARN."""
    taken_at: str = ""
    notes: tuple[str, ...] = ()
    """What could not be read (an account whose role could not be assumed, RCPs not supported, ...)."""

    def account(self, account_id: str) -> AccountSnapshot | None:
        return next((a for a in self.accounts if a.id == account_id), None)

    def policy(self, account: AccountSnapshot, arn: str) -> Document | None:
        return account.policies.get(arn) or self.aws_policies.get(arn)
