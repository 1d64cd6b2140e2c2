"""Run-time settings: the one reader of the environment, called by the composition root with the options."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

DEFAULT_STATE_DIR = Path(".sojourn")
EMBEDDED_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")


class SettingsError(ValueError):
    """An environment variable holds a value Sojourn cannot use, with which one."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    aws_region: str
    aws_endpoint_url: str | None
    actor: str
    max_concurrency: int = 8
    now: datetime | None = None
    """The drill clock (SOJOURN_NOW): time stands still at this instant; drills replay hours in seconds."""
    crash_at: str | None = None
    """SOJOURN_CRASH_AT: the worker step at which the process kills itself (crash drills)."""
    worker_concurrency: int = 8
    oidc_issuer: str | None = None
    oidc_audience: str = "sojourn"
    oidc_role_map: str = "{}"
    """SOJOURN_OIDC_ROLE_MAP as given (JSON: IdP group -> role); read by `serve` only."""
    api_url: str | None = None
    api_token: str = field(default="", repr=False)
    max_body_bytes: int = 1 << 20
    """SOJOURN_MAX_BODY_BYTES: the largest HTTP request body `serve` accepts (413 beyond)."""
    notify_environment: Mapping[str, str] = field(default_factory=dict, repr=False)
    """The SOJOURN_* variables, where notification channels and their secrets are named."""

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
            now=_instant(env, "SOJOURN_NOW"),
            crash_at=env.get("SOJOURN_CRASH_AT") or None,
            worker_concurrency=int(env.get("SOJOURN_WORKER_CONCURRENCY", "8")),
            oidc_issuer=env.get("SOJOURN_OIDC_ISSUER") or None,
            oidc_audience=env.get("SOJOURN_OIDC_AUDIENCE", "sojourn"),
            oidc_role_map=env.get("SOJOURN_OIDC_ROLE_MAP", "{}"),
            api_url=env.get("SOJOURN_API_URL") or None,
            api_token=env.get("SOJOURN_TOKEN", ""),
            max_body_bytes=_positive(env, "SOJOURN_MAX_BODY_BYTES", 1 << 20),
            notify_environment={k: v for k, v in env.items() if k.startswith("SOJOURN_")},
        )


def _instant(env: Mapping[str, str], variable: str) -> datetime | None:
    text = env.get(variable)
    if not text:
        return None
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        raise SettingsError(f"{variable}={text!r} is not an ISO 8601 time") from None
    if found.tzinfo is None:
        raise SettingsError(f"{variable}={text!r} needs a time zone, e.g. {text}+00:00")
    return found


def _positive(env: Mapping[str, str], variable: str, default: int) -> int:
    text = env.get(variable)
    if not text:
        return default
    if not text.isdigit() or int(text) <= 0:
        raise SettingsError(f"{variable}={text!r} must be a positive whole number")
    return int(text)


def use_embedded_credentials() -> None:
    """The embedded moto server accepts any key; boto3 only needs one to be set."""
    for key in EMBEDDED_CREDENTIALS:
        os.environ.setdefault(key, "embedded-moto")


def default_database_url(state_dir: Path = DEFAULT_STATE_DIR) -> str:
    return f"sqlite:///{state_dir / 'sojourn.db'}"
