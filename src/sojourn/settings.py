"""Run-time settings: read once by the composition root from options and the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_STATE_DIR = Path(".sojourn")


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    aws_region: str
    aws_endpoint_url: str | None
    actor: str
    max_concurrency: int = 8

    @classmethod
    def from_environment(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        database_url: str | None = None,
        endpoint_url: str | None = None,
        region: str | None = None,
    ) -> Settings:
        """Options win over SOJOURN_* variables, which win over the defaults."""
        env = os.environ if environ is None else environ
        url = database_url or env.get("SOJOURN_DATABASE_URL") or default_database_url()
        return cls(
            database_url=url,
            aws_region=region
            or env.get("SOJOURN_AWS_REGION")
            or env.get("AWS_DEFAULT_REGION")
            or "us-east-1",
            aws_endpoint_url=endpoint_url or env.get("SOJOURN_AWS_ENDPOINT_URL") or None,
            actor=env.get("SOJOURN_ACTOR") or env.get("USER") or "unknown",
            max_concurrency=int(env.get("SOJOURN_MAX_CONCURRENCY", "8")),
        )


def default_database_url(state_dir: Path = DEFAULT_STATE_DIR) -> str:
    return f"sqlite:///{state_dir / 'sojourn.db'}"
