"""Use case: import. Write configuration from a provider's existing access; its plan is empty."""

from __future__ import annotations

from dataclasses import dataclass

from sojourn.access.config import IdentitySource
from sojourn.access.render import render_config, usable_account_names
from sojourn.access.state import AccessState
from sojourn.service.ports.provider import Provider


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    files: dict[str, str]
    """File name -> YAML text."""
    state: AccessState


def import_access(provider: Provider) -> ImportOutcome:
    """The provider's state as configuration files, pinned to this provider instance."""
    organization = provider.read_organization(with_tags=False)
    state = provider.read_state(organization).state
    files = render_config(
        state,
        identity_source=IdentitySource.IDENTITY_CENTER,
        pinned=provider.config_settings(),
        account_names=usable_account_names((a.id, a.name) for a in organization.accounts),
    )
    return ImportOutcome(files, state)
