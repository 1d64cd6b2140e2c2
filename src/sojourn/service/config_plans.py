"""The verbs over a configuration directory that `sojourn plan`, `apply`, `drift` and `import` call.

The Identity Center instance a configuration targets is named in its settings (region, instance ARN), so
the gateway is asked for only once the configuration has been read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from sojourn.access.config import AccessConfig, DriftMode
from sojourn.access.config_parse import parse_config
from sojourn.access.issues import ConfigInvalid, ConfigIssue
from sojourn.catalog import ActionCatalog
from sojourn.service.config_files import read_config_sources, write_config_files
from sojourn.service.importing import import_access
from sojourn.service.planning import PlanOutcome, organisation_issues, plan_access
from sojourn.service.ports.plan_store import PlanStore
from sojourn.service.ports.provider import Provider
from sojourn.service.saved_plan import SavedPlan


class InstanceRef(Protocol):
    @property
    def instance_arn(self) -> str: ...


class InstanceGateway(Provider, Protocol):
    """A provider bound to one Identity Center instance."""

    @property
    def instance(self) -> InstanceRef: ...


GatewayFor = Callable[[str | None, str | None], InstanceGateway]
"""The gateway for (region, instance ARN); None leaves the choice to the settings or to discovery."""


class ConfigUnreadable(Exception):
    """The configuration file or directory cannot be read."""


def plan_config(
    config: Path,
    gateway_for: GatewayFor,
    store: Callable[[], PlanStore | None],
    *,
    today: date,
    drift: DriftMode | None,
    catalog: ActionCatalog,
) -> PlanOutcome:
    """Read CONFIG, then plan against the instance it names; raises ConfigUnreadable or ConfigInvalid.

    Nothing is written to AWS or the store unless the configuration is valid. An invalid one is still
    checked against the organisation (read only, best effort) so that one run names every problem.
    """
    try:
        sources = read_config_sources(config)
    except OSError as error:
        raise ConfigUnreadable(str(error)) from error
    parsed = parse_config(sources)
    if parsed.config is None or parsed.issues:
        raise ConfigInvalid(parsed.issues + _selector_issues(parsed.partial, gateway_for))
    target = parsed.config.settings
    gateway = gateway_for(target.region, target.instance_arn)
    return plan_access(
        sources,
        gateway,
        store(),
        instance=gateway.instance.instance_arn,
        today=today,
        drift=drift,
        catalog=catalog,
    )


def _selector_issues(partial: AccessConfig | None, gateway_for: GatewayFor) -> tuple[ConfigIssue, ...]:
    if partial is None:
        return ()
    try:
        provider = gateway_for(partial.settings.region, partial.settings.instance_arn)
    except Exception:  # AWS unreachable or no instance: the configuration's own problems show alone
        return ()
    return organisation_issues(partial, provider)


def saved_plan(outcome: PlanOutcome, at: datetime, config: Path) -> SavedPlan:
    """The plan as `sojourn apply` takes it from a file: what to change and what it aims at."""
    return SavedPlan(outcome.plan, outcome.desired, at, str(config))


@dataclass(frozen=True, slots=True)
class Imported:
    """What `import_config` wrote, and how much of the instance it covers."""

    files: tuple[Path, ...]
    permission_sets: int
    users: int
    assignments: int


def import_config(gateway: InstanceGateway, out: Path) -> Imported:
    """Write configuration whose plan against the instance is empty; FileExistsError if OUT holds one."""
    imported = import_access(gateway)
    state = imported.state
    written = write_config_files(out, imported.files)
    return Imported(tuple(written), len(state.permission_sets), len(state.users), len(state.assignments))
