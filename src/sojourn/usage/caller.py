"""Who made a CloudTrail call: the IAM principal whose policies decided it, and the session or person."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_SSO_ROLE = re.compile(r"^AWSReservedSSO_(?P<name>.+)_[0-9a-fA-F]{16}$")


class CallerKind(StrEnum):
    ROOT = "root"
    IAM_USER = "iam-user"
    ROLE = "role"
    PERMISSION_SET = "permission-set"
    FEDERATED_USER = "federated-user"
    IDENTITY_CENTER_USER = "identity-center-user"
    AWS_SERVICE = "aws-service"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Identity:
    """The parts of a record's userIdentity that name the caller."""

    type: str | None
    arn: str | None = None
    issuer_arn: str | None = None
    account: str | None = None
    on_behalf_of: str | None = None
    invoked_by: str | None = None


@dataclass(frozen=True, slots=True)
class Caller:
    """`principal` is the identity whose policies grant the call (a role for every session of it);
    `session` the session name (for Identity Center, the person's user name)."""

    kind: CallerKind
    principal: str
    session: str | None = None

    @property
    def permission_set(self) -> str | None:
        return permission_set_of(self.principal)

    @property
    def right_sizable(self) -> bool:
        """Calls made under an IAM policy Sojourn could tighten (not AWS services, not unknown callers)."""
        return self.kind not in (CallerKind.AWS_SERVICE, CallerKind.UNKNOWN, CallerKind.IDENTITY_CENTER_USER)


def permission_set_of(principal: str) -> str | None:
    """The permission set behind an Identity Center role (AWSReservedSSO_<name>_<16 hex>), else None."""
    if ":role/" not in principal:
        return None
    match = _SSO_ROLE.match(principal.rsplit("/", 1)[-1])
    return match.group("name") if match else None


def caller_of(identity: Identity) -> Caller:
    """The caller of one record, by userIdentity.type (Root, IAMUser, AssumedRole, FederatedUser, ...)."""
    kind = identity.type or ""
    if identity.on_behalf_of and kind in ("IdentityCenterUser", "Unknown", ""):
        return Caller(CallerKind.IDENTITY_CENTER_USER, f"identity-center-user/{identity.on_behalf_of}")
    if kind == "Root" and identity.arn:
        return Caller(CallerKind.ROOT, identity.arn)
    if kind == "IAMUser" and identity.arn:
        return Caller(CallerKind.IAM_USER, identity.arn)
    if kind == "AssumedRole" and (identity.issuer_arn or identity.arn):
        role = identity.issuer_arn or _role_of_session(identity.arn or "")
        session = _session_of(identity.arn)
        sso = permission_set_of(role) is not None
        return Caller(CallerKind.PERMISSION_SET if sso else CallerKind.ROLE, role, session)
    if kind == "FederatedUser" and identity.arn:
        return Caller(
            CallerKind.FEDERATED_USER, identity.issuer_arn or identity.arn, _session_of(identity.arn)
        )
    if kind == "AWSService":
        return Caller(CallerKind.AWS_SERVICE, identity.invoked_by or "aws-service")
    return Caller(CallerKind.UNKNOWN, identity.arn or f"account/{identity.account or 'unknown'}")


def _session_of(arn: str | None) -> str | None:
    """assumed-role/<role>/<session> and federated-user/<name>: the last path part."""
    if not arn or "/" not in arn:
        return None
    return arn.rsplit("/", 1)[-1]


def _role_of_session(arn: str) -> str:
    """arn:aws:sts::1:assumed-role/Name/session -> arn:aws:iam::1:role/Name (the session lacks the path)."""
    head, _, rest = arn.partition(":assumed-role/")
    partition_and_account = head.replace(":sts:", ":iam:", 1)
    return f"{partition_and_account}:role/{rest.split('/', 1)[0]}" if rest else arn
