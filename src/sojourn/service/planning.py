"""Use case: plan. Read configuration and the provider, compile, diff into a plan with per-person deltas."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from sojourn.access.compiler import compile_access, selector_issues
from sojourn.access.config import AccessConfig, DriftMode, Selector
from sojourn.access.config_parse import parse_config
from sojourn.access.issues import ConfigInvalid, ConfigIssue
from sojourn.access.organization import Organization
from sojourn.access.outcome import ReadResult
from sojourn.access.plan import Plan, make_plan
from sojourn.access.state import AccessState, Assignment, PrincipalType
from sojourn.access.state_codec import state_from_json
from sojourn.analysis.finding import Finding
from sojourn.catalog import ActionCatalog
from sojourn.service.plan_findings import new_findings
from sojourn.service.ports.plan_store import PlanStore
from sojourn.service.ports.provider import Provider
from sojourn.workflow.grant_request import HOLDS_ACCESS


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    plan: Plan
    config: AccessConfig
    organization: Organization
    desired: AccessState
    observed: AccessState
    effective: Mapping[str, Mapping[str, Mapping[str, tuple[str, ...]]]]
    read: ReadResult
    findings: tuple[Finding, ...] = ()
    """Risks the plan would introduce (findings on permission sets that the provider does not have yet)."""


def load_config(sources: Mapping[str, str]) -> AccessConfig:
    result = parse_config(sources)
    if result.config is None or result.issues:
        raise ConfigInvalid(result.issues)
    return result.config


def plan_access(
    sources: Mapping[str, str],
    provider: Provider,
    store: PlanStore | None,
    *,
    today: date,
    instance: str | None = None,
    drift: DriftMode | None = None,
    catalog: ActionCatalog,
) -> PlanOutcome:
    """Everything `sojourn plan` shows; raises ConfigInvalid with every problem found.

    `instance` keys the last applied state in the store; by default the provider's own `instance_id`.
    """
    parsed = parse_config(sources)
    if parsed.config is None or parsed.issues:
        raise ConfigInvalid(parsed.issues + organisation_issues(parsed.partial, provider))
    config = parsed.config
    organization = provider.read_organization(with_tags=_uses_tags(config))
    compiled = compile_access(config, organization, today=today)
    if compiled.issues:
        raise ConfigInvalid(compiled.issues)
    previous = previous_state(store, instance or provider.instance_id)
    desired = with_live_grants(compiled.desired, store)
    read = provider.read_state(organization, known_pairs(desired, previous))
    plan = make_plan(
        desired,
        read.state,
        drift=drift or config.settings.drift,
        previous=previous,
        identity_source=config.settings.identity_source,
        account_names={a.id: a.name for a in organization.accounts},
    )
    accounts = (a.id for a in organization.accounts)
    findings = tuple(new_findings(compiled.desired, read.state, accounts, catalog))
    return PlanOutcome(plan, config, organization, desired, read.state, compiled.effective, read, findings)


def with_live_grants(desired: AccessState, store: PlanStore | None) -> AccessState:
    """Approved and active just-in-time grants are desired too: a plan never removes them."""
    if store is None:
        return desired
    live = store.grants.requests(states=tuple(HOLDS_ACCESS))
    extra = {
        Assignment(account, r.permission_set, PrincipalType.USER, r.person)
        for r in live
        for account in r.accounts
        if r.permission_set in desired.permission_sets and r.person in desired.users
    }
    return replace(desired, assignments=desired.assignments | extra) if extra else desired


def known_pairs(*states: AccessState | None) -> set[tuple[str, str]]:
    """(account, permission set) pairs the configuration or an earlier apply uses: listed in any case."""
    return {(a.account_id, a.permission_set) for s in states if s is not None for a in s.assignments}


def previous_state(store: PlanStore | None, instance: str) -> AccessState | None:
    """The desired state of the last successful apply on this instance, if any."""
    if store is None:
        return None
    text = store.runs.applied_state(instance)
    return None if text is None else state_from_json(text)


def organisation_issues(partial: AccessConfig | None, provider: Provider) -> tuple[ConfigIssue, ...]:
    """Selector problems of a configuration that has others, so that one run reports them all; none
    when nothing could be built or the organisation cannot be read (the other problems still show)."""
    if partial is None:
        return ()
    try:
        organization = provider.read_organization(with_tags=_uses_tags(partial))
    except Exception:  # AWS unreachable: the configuration's own problems are reported alone
        return ()
    return selector_issues(partial, organization)


def _uses_tags(config: AccessConfig) -> bool:
    selectors: list[Selector] = [rule.where for rule in config.rules]
    selectors += [team.accounts for team in config.teams.values() if team.accounts is not None]
    while selectors:
        selector = selectors.pop()
        if selector.tags:
            return True
        if selector.exclude is not None:
            selectors.append(selector.exclude)
    return False
