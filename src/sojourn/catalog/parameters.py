"""Which actions take a role and which take code, from AWS API models (scripts/derive_action_parameters)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True, slots=True)
class ActionParameters:
    """Request members of one action that name a role (or an instance profile) and that carry code."""

    roles: tuple[str, ...]
    code: tuple[str, ...]


class ParameterIndex:
    """Action parameters by lower-case action name; compared and hashed by identity (one per load)."""

    def __init__(self, actions: Mapping[str, ActionParameters], source: str) -> None:
        self._actions = {name.lower(): value for name, value in actions.items()}
        self._names = {name.lower(): name for name in actions}
        self.source = source

    def get(self, action: str) -> ActionParameters | None:
        return self._actions.get(action.lower())

    def names(self) -> tuple[str, ...]:
        """Canonical action names that have any role or code parameter, sorted."""
        return tuple(sorted(self._names.values()))


def load_action_parameters() -> ParameterIndex:
    """The packaged parameter data (read on call, never at import)."""
    text = resources.files("sojourn.catalog").joinpath("data/action_parameters.json").read_text()
    document = json.loads(text)
    actions = {
        name: ActionParameters(tuple(entry["role"]), tuple(entry["code"]))
        for name, entry in document["actions"].items()
    }
    return ParameterIndex(actions, str(document["source"]))
