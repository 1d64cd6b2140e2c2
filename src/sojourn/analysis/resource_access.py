"""Resource policies of a snapshot, found from the resource a question names, and questions asked with them.

A request on `arn:aws:s3:::bucket/key` is governed by the policy of `arn:aws:s3:::bucket`, one on a
function version or alias by the function's policy; every other resource by the policy recorded under
its own ARN. The engine decides with the resource policy and the owning account's RCPs in play, so the
same-account, cross-account and KMS key-policy rules are AWS's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from sojourn.analysis.holders import Holder, PolicyLibrary
from sojourn.analysis.snapshot import OrgSnapshot, ResourcePolicy
from sojourn.policy import CompiledPolicySet, Discovery, EvaluationRequest, Outcome, PolicyKind, evaluate
from sojourn.policy.compiled import CompiledPolicy, compile_policy
from sojourn.policy.model import Effect, Policy

WHOLE_ACCOUNT = re.compile(r"^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:root)$")


Answer = tuple[str, ...] | None
"""None: not allowed; otherwise allowed, on the conditions listed (those the snapshot cannot settle)."""
UPPER_BOUND = Discovery(denies_avoidable=True)
"""who-can lists whoever some request allows: unsettled conditions of an Allow are met, those of a Deny
are avoided, and both are reported with the answer."""


@dataclass(frozen=True, slots=True)
class GuardedResource:
    record: ResourcePolicy
    compiled: CompiledPolicy
    per_principal: bool
    """Whether principals of one policy shape may get different answers (named ARNs, NotPrincipal,
    conditions); otherwise one answer per shape is enough."""


@dataclass
class ResourcePolicyIndex:
    """Every parsed resource policy by ARN, with answers cached per policy shape where that is exact."""

    by_arn: dict[str, GuardedResource] = field(default_factory=dict)
    answers: dict[tuple[tuple[str, ...], str, str], Answer] = field(default_factory=dict)

    @classmethod
    def of(cls, snapshot: OrgSnapshot, library: PolicyLibrary) -> ResourcePolicyIndex:
        index = cls()
        for account in snapshot.accounts:
            for record in account.resource_policies:
                policy = library.parse(record.arn, record.document, PolicyKind.RESOURCE)
                if policy is not None:
                    index.by_arn[record.arn] = GuardedResource(
                        record, compile_policy(policy), _per_principal(policy)
                    )
        return index

    def find(self, resource: str) -> GuardedResource | None:
        if not self.by_arn:
            return None
        found = self.by_arn.get(resource)
        if found is None:
            owner = governing_arn(resource)
            found = self.by_arn.get(owner) if owner else None
        return found


def governing_arn(resource: str) -> str | None:
    """The ARN whose policy governs a request on `resource`, when that is another ARN."""
    parts = resource.split(":", 5)
    if len(parts) < 6:
        return None
    if parts[2] == "s3" and not parts[3] and not parts[4]:
        return ":".join(parts[:5]) + ":" + parts[5].split("/", 1)[0]
    if parts[2] == "lambda" and parts[5].startswith("function:") and parts[5].count(":") == 2:
        return resource.rsplit(":", 1)[0]
    return None


def resource_allowed(
    index: ResourcePolicyIndex,
    guarded: GuardedResource,
    holder: Holder,
    identity: CompiledPolicySet,
    rcps: tuple[tuple[CompiledPolicy, ...], ...],
    action: str,
    resource: str,
    context: Mapping[str, str],
) -> Answer:
    """The engine's answer with the resource policy in play, as an upper bound (see UPPER_BOUND)."""
    lowered = action.lower()
    owner = guarded.record.account
    if owner != holder.account and not any(
        s.effect is Effect.ALLOW for p in identity.identity for s in p.candidates(lowered)
    ):  # across accounts the identity side must allow too
        return None
    in_play = (
        *identity.identity,
        *(identity.boundary or ()),
        *(p for level in (*identity.scps, *rcps) for p in level),
        guarded.compiled,
    )
    cacheable = not guarded.per_principal and not any(
        s.conditions or s.variables for p in in_play for s in p.candidates(lowered)
    )
    key = (holder.shape, lowered, resource)
    if cacheable and key in index.answers:
        return index.answers[key]
    request = EvaluationRequest(
        action,
        resource,
        holder.arn,
        owner,
        {**context, "aws:ResourceAccount": owner},
        principal_account=holder.account,
    )
    policies = replace(identity, resource=(guarded.compiled,), rcps=rcps)
    decision = evaluate(request, policies, UPPER_BOUND)
    answer = decision.ignored_conditions if decision.outcome is Outcome.ALLOWED else None
    if cacheable:
        index.answers[key] = answer
    return answer


def _per_principal(policy: Policy) -> bool:
    for statement in policy.statements:
        if statement.conditions or statement.not_principals is not None:
            return True
        for principal in statement.principals or ():
            if (
                principal.kind == "AWS"
                and principal.value != "*"
                and not WHOLE_ACCOUNT.match(principal.value)
            ):
                return True
    return False
