"""Size quotas of each policy type, counted as AWS counts them, and IAM's accepted character set."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sojourn.policy.model import IDENTITY_POLICY_KINDS, Policy, PolicyIssue, PolicyKind, Severity

QUOTAS: dict[PolicyKind, tuple[int, bool]] = {
    PolicyKind.IDENTITY: (10_240, True),
    PolicyKind.MANAGED: (6_144, True),
    PolicyKind.INLINE_USER: (2_048, True),
    PolicyKind.INLINE_GROUP: (5_120, True),
    PolicyKind.INLINE_ROLE: (10_240, True),
    PolicyKind.RESOURCE: (20_480, False),
    PolicyKind.TRUST: (4_096, True),
    PolicyKind.SCP: (5_120, False),
    PolicyKind.RCP: (5_120, False),
    PolicyKind.BOUNDARY: (6_144, True),
    PolicyKind.SESSION: (2_048, True),
    PolicyKind.ENDPOINT: (20_480, False),
    PolicyKind.PERMISSION_SET_INLINE: (32_768, False),
    PolicyKind.AWS_MANAGED: (1_000_000, True),
}
"""Characters allowed per policy kind, and whether AWS leaves white space out of the count. Customer managed
policies and boundaries 6,144 (white space not counted); inline policies of a user 2,048, of a group
5,120, of a role 10,240 (white space not counted; the quota is for all of the owner's inline policies
together, see inline_quota_issues); an identity policy whose attachment is not known 10,240, the largest
identity quota, as Access Analyzer's identity-policy size check does; role trust policies 2,048 by default
and 4,096 at most after a quota increase; SCPs and RCPs 5,120 counted with white space; session policies
2,048 (plain text, before AWS's own packing); S3 bucket and VPC endpoint policies 20,480; Identity Center
inline policies 32,768. AWS managed policies are AWS's own and have no customer quota.
"""
TRUST_DEFAULT_QUOTA = 2_048
INLINE_QUOTAS = {"user": 2_048, "group": 5_120, "role": 10_240}
"""The aggregate of all inline policies of one IAM user, group or role, white space not counted."""
IAM_CHARACTER_SET_KINDS = IDENTITY_POLICY_KINDS | {PolicyKind.TRUST, PolicyKind.BOUNDARY, PolicyKind.SESSION}
RESOURCE_QUOTA_KINDS = frozenset({PolicyKind.RESOURCE, PolicyKind.ENDPOINT})
IAM_OUTSIDE_CHARACTER_SET = re.compile(r"[^\t\n\r\u0020-\u00ff]")


def policy_size(text: str, kind: PolicyKind) -> int:
    """The document's length as AWS counts it for this kind."""
    _, ignores_space = QUOTAS[kind]
    return sum(map(len, text.split())) if ignores_space else len(text)


def quota_access_analyzer_code(kind: PolicyKind) -> str | None:
    """Access Analyzer's code for a policy over its quota (AA checks identity and resource policies)."""
    if kind in RESOURCE_QUOTA_KINDS:
        return "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA"
    if kind in IDENTITY_POLICY_KINDS or kind in (PolicyKind.BOUNDARY, PolicyKind.PERMISSION_SET_INLINE):
        return "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA"
    return None


def quota_problems(size: int, kind: PolicyKind) -> list[tuple[str, Severity, str]]:
    """(code, severity, message) when a document of this size is over its kind's quota."""
    limit, ignores_space = QUOTAS[kind]
    counted = "characters without white space" if ignores_space else "characters"
    if size > limit:
        article = "an" if kind.value[0] in "aeiou" else "a"
        message = f"the policy has {size:,} {counted}; {article} {kind.value} policy may have {limit:,}"
        return [("quota", Severity.ERROR, message)]
    if kind is PolicyKind.TRUST and size > TRUST_DEFAULT_QUOTA:
        message = (
            f"the trust policy has {size:,} {counted}; the default quota is {TRUST_DEFAULT_QUOTA:,} "
            f"(up to {limit:,} after a quota increase)"
        )
        return [("quota", Severity.WARNING, message)]
    return []


def inline_quota_issues(policies: Iterable[Policy], owner: str, source: str) -> tuple[PolicyIssue, ...]:
    """The aggregate inline-policy quota of an IAM "user", "group" or "role" (sizes from identity parsing)."""
    limit = INLINE_QUOTAS[owner]
    total = sum(policy.size for policy in policies)
    if total <= limit:
        return ()
    message = (
        f"the inline policies of this {owner} have {total:,} characters without white space; "
        f"a {owner} may have {limit:,} in all"
    )
    return (PolicyIssue(source, 0, 0, "", "inline-quota", Severity.ERROR, message),)
