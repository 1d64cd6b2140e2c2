"""What AWS Organizations accepts in a resource control policy beyond the IAM grammar.

An RCP only ever denies (the one Allow, RCPFullAWSAccess, is AWS's own and cannot be detached), applies
to every principal (Principal "*", narrowed by conditions; no NotPrincipal), names actions (no
NotAction), and reaches only the services that support RCPs. The service list is dated: AWS adds
services to it, and an action of a service not on it is refused by Organizations when the RCP is
created.
"""

from __future__ import annotations

from collections.abc import Callable

from sojourn.policy.model import Effect, Policy, Severity, Statement

RCP_SERVICES_AS_OF = "2025-11"
RCP_SERVICES = frozenset(
    {"s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "aoss", "cognito-identity", "logs", "dynamodb"}
)
"""Services whose actions an RCP may name (AWS Organizations User Guide, "Resource control policies")."""

Report = Callable[..., None]


def check_rcp(policy: Policy, report: Report) -> None:
    for statement in policy.statements:
        if _full_access(statement):
            continue
        if statement.effect is Effect.ALLOW:
            report(
                statement.where,
                "rcp-allow",
                "an RCP statement can only Deny (Allow is reserved for AWS's RCPFullAWSAccess); an RCP "
                "never grants access, so write the statement as a Deny with the conditions it should enforce",
                Severity.ERROR,
            )
        if statement.not_principals is not None:
            report(
                statement.where,
                "rcp-not-principal",
                'NotPrincipal is not supported in RCPs; use Principal "*" and a condition such as '
                "aws:PrincipalArn or aws:PrincipalOrgID",
                Severity.ERROR,
            )
        elif statement.principals is not None and any(
            p.kind != "*" and p.value != "*" for p in statement.principals
        ):
            report(
                statement.where,
                "rcp-principal",
                'an RCP\'s Principal must be "*"; narrow who it applies to with conditions',
                Severity.ERROR,
            )
        if statement.not_actions is not None:
            report(
                statement.where,
                "rcp-not-action",
                "NotAction is not supported in RCPs; list the actions to deny",
                Severity.ERROR,
            )
        for action, place in zip(statement.actions or (), statement.action_places, strict=False):
            prefix = action.partition(":")[0].lower()
            if action != "*" and "*" not in prefix and "?" not in prefix and prefix not in RCP_SERVICES:
                report(
                    place,
                    "rcp-unsupported-service",
                    f"{action!r}: RCPs do not apply to {prefix} (as of {RCP_SERVICES_AS_OF} they apply to "
                    f"{', '.join(sorted(RCP_SERVICES))}); this line would be refused",
                    Severity.ERROR,
                )


def _full_access(statement: Statement) -> bool:
    """RCPFullAWSAccess's own statement: Allow everything to everyone, unconditionally."""
    return (
        statement.effect is Effect.ALLOW
        and statement.actions == ("*",)
        and statement.resources == ("*",)
        and statement.principals is not None
        and all("*" in (p.kind, p.value) for p in statement.principals)
        and not statement.conditions
    )
