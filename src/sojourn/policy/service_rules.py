"""Rules of particular services that decide a request beside the policies themselves."""

from __future__ import annotations

ALWAYS_ALLOWED = frozenset({"sts:getcalleridentity"})
"""STS: GetCallerIdentity needs no permission."""
READ_VERBS = ("get", "list", "generate", "simulate")
KMS_ALIAS_ACTIONS = frozenset({"kms:createalias", "kms:updatealias", "kms:deletealias"})
"""KMS API reference: "Cross-account use: No" for each; alias/aws/ names belong to AWS managed keys."""


def _kms_resource(resource: str) -> str | None:
    """The resource part of a KMS ARN ("key/..." or "alias/..."), or None for anything else."""
    parts = resource.split(":", 5)
    return parts[5] if len(parts) == 6 and parts[2] == "kms" else None


def needs_resource_policy(action: str, resource: str, pattern: bool) -> bool:
    """A KMS key's key policy and a role's trust policy must allow even in the same account. An alias has
    no policy of its own and actions on no resource (a literal "*": ListKeys, CreateKey) none to consult;
    any other resource of a KMS action (a pattern such as "*") is a key."""
    if action.startswith("sts:assumerole"):
        return True
    if not action.startswith("kms:"):
        return False
    part = _kms_resource(resource)
    if part is None:
        return pattern and action not in KMS_ALIAS_ACTIONS
    return not part.startswith("alias/")


def same_account_only(action: str) -> bool:
    """Actions a service performs only on resources of the caller's own account."""
    return action in KMS_ALIAS_ACTIONS


def owned_by_aws(resource: str, action: str) -> bool:
    """AWS managed policies, Identity Center's reserved roles and the aliases of AWS managed keys cannot be
    changed by anyone."""
    if action in KMS_ALIAS_ACTIONS:
        part = _kms_resource(resource)
        return part is not None and part.startswith("alias/aws/")
    if not action.startswith("iam:"):
        return False
    owned = resource.startswith("arn:aws:iam::aws:policy/") or ":role/aws-reserved/" in resource
    return owned and not action.split(":", 1)[1].startswith(READ_VERBS)
