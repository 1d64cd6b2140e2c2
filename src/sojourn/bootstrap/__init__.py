"""The composition root: the one place that builds adapters and use cases from one `Settings`.

The CLI, the API, the worker and the demo ask a `Runtime` for what they need and build nothing themselves.
Adapters are built on first use and shared for the Runtime's life; the action catalogue once per process.
"""

from __future__ import annotations

from sojourn.bootstrap.http_parts import HttpParts
from sojourn.bootstrap.runtime_core import crash_checkpoint, drill_or_system_clock
from sojourn.bootstrap.source_parts import SourceParts
from sojourn.settings import Settings

__all__ = ["Runtime", "crash_checkpoint", "drill_or_system_clock", "runtime_from_environment"]


class Runtime(HttpParts, SourceParts):
    """Everything one process needs, built from `settings` on first use; `close()` releases it."""


def runtime_from_environment(
    *, database_url: str | None = None, endpoint_url: str | None = None, region: str | None = None
) -> Runtime:
    """A Runtime from the SOJOURN_* environment, the given options winning."""
    settings = Settings.from_environment(database_url=database_url, endpoint_url=endpoint_url, region=region)
    return Runtime(settings)
