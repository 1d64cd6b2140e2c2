"""The runtime a command asks for what it needs: settings from the environment and the options given."""

from __future__ import annotations

from sojourn.bootstrap import Runtime
from sojourn.settings import Settings


def runtime(endpoint_url: str | None = None, database_url: str | None = None) -> Runtime:
    """The composition root for one command; options given on the command line win over the environment."""
    return Runtime(Settings.from_environment(endpoint_url=endpoint_url, database_url=database_url))
