"""`sojourn usage`: what a principal or a permission set used, beside what the configuration grants it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sojourn.analysis.profile import allowed_bits
from sojourn.catalog.catalog import ActionBits, ActionCatalog
from sojourn.policy.parser import parse_policy
from sojourn.service.config_files import read_config_sources
from sojourn.service.config_plans import ConfigUnreadable
from sojourn.service.planning import load_config
from sojourn.service.ports.activity import UsageRepository
from sojourn.usage.caller import permission_set_of
from sojourn.usage.report import UsageReport, usage_report

SSO_ROLE_PREFIX = "AWSReservedSSO_"


class PermissionSetUnknown(Exception):
    """The configuration has no permission set of that name."""


def principal_usage(
    usage: UsageRepository, catalog: ActionCatalog, principal: str, *, since: datetime | None = None
) -> UsageReport:
    """Usage by one IAM principal (a role's every session, a user, root), given by its ARN; what its IAM
    policies grant is not read here (--permission-set compares with the configuration)."""
    lines = [
        line for line in usage.lines(principal_like=principal, since=since) if line.principal == principal
    ]
    return usage_report(
        principal, lines, catalog, not_expanded=("the principal's IAM policies, which live in AWS",)
    )


def permission_set_usage(
    usage: UsageRepository,
    catalog: ActionCatalog,
    config: Path,
    name: str,
    *,
    since: datetime | None = None,
) -> UsageReport:
    """Usage by everyone who used the permission set `name` in any account, beside what its configuration
    grants (the files at `config`). Managed policies are not expanded offline: when the set has any, the
    granted counts are unknown. Raises ConfigUnreadable, ConfigInvalid or PermissionSetUnknown."""
    try:
        sources = read_config_sources(config)
    except OSError as error:
        raise ConfigUnreadable(str(error)) from error
    permission_sets = load_config(sources).permission_sets
    spec = permission_sets.get(name)
    if spec is None:
        known = ", ".join(sorted(permission_sets)) or "none"
        raise PermissionSetUnknown(f"no permission set named {name!r} in the configuration (it has: {known})")
    lines = [
        line
        for line in usage.lines(principal_like=f"{SSO_ROLE_PREFIX}{name}_", since=since)
        if permission_set_of(line.principal) == name
    ]
    not_expanded = (*spec.managed_policies, *(ref.name for ref in spec.customer_managed_policies))
    granted: ActionBits | None = None if not_expanded else _inline_grants(spec.inline_policy, catalog)
    return usage_report(f"permission set {name}", lines, catalog, granted=granted, not_expanded=not_expanded)


def _inline_grants(inline_policy: str | None, catalog: ActionCatalog) -> ActionBits:
    if inline_policy is None:
        return 0
    parsed = parse_policy(inline_policy, source="inline_policy")
    return allowed_bits(parsed.policy, catalog) if parsed.policy is not None else 0
