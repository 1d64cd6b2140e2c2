"""Run-time settings: the one reader of the environment, called by the composition root with the options."""

from __future__ import annotations

import os
import pwd
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

DEFAULT_STATE_DIR = Path(".sojourn")
EMBEDDED_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
EMBEDDED_KEY = "embedded-moto"


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
    oidc_client_id: str = "sojourn"
    """SOJOURN_OIDC_CLIENT_ID: the web sign-in's client at the identity provider."""
    oidc_client_secret: str = field(default="", repr=False)
    """SOJOURN_OIDC_CLIENT_SECRET: its secret (empty: a public client, PKCE alone)."""
    web_url: str | None = None
    """SOJOURN_WEB_URL: the address people reach the web pages at; the sign-in redirect is /auth/callback
    under it (None: the address of the request)."""
    session_key: str = field(default="", repr=False)
    """SOJOURN_SESSION_KEY: signs the web session cookie (empty: a random key per process)."""
    snapshot_file: Path | None = None
    """SOJOURN_SNAPSHOT: the organisation snapshot the findings and paths pages read."""
    api_url: str | None = None
    api_token: str = field(default="", repr=False)
    max_body_bytes: int = 1 << 20
    """SOJOURN_MAX_BODY_BYTES: the largest HTTP request body `serve` accepts (413 beyond)."""
    notify_environment: Mapping[str, str] = field(default_factory=dict, repr=False)
    """The SOJOURN_* variables, where notification channels and their secrets are named."""
    audit_checkpoint_dir: Path | None = None
    """SOJOURN_AUDIT_CHECKPOINT_DIR: where signed audit checkpoints go; None: beside the database."""
    audit_key_file: Path | None = None
    """SOJOURN_AUDIT_KEY_FILE: the Ed25519 key that signs them; None: beside the database."""
    audit_checkpoint_every: int = 100
    """SOJOURN_AUDIT_CHECKPOINT_EVERY: a checkpoint after this many records (and at each apply's end)."""
    key_rotation_targets: tuple[tuple[str, str], ...] = ()
    """SOJOURN_KEY_ROTATION_TARGETS: "user=secret-id,..." whose access keys the worker rotates."""
    key_max_age_days: int = 90
    """SOJOURN_KEY_MAX_AGE_DAYS: the worker rotates a target's key once it is this old."""
    key_grace_days: int = 7
    """SOJOURN_KEY_GRACE_DAYS: how long an old key stays deactivated before it is deleted."""
    key_rotation_every: int = 3600
    """SOJOURN_KEY_ROTATION_EVERY: seconds between two looks of the worker at the rotation schedule."""
    worker_stale_after: int = 30
    """SOJOURN_WORKER_STALE_AFTER: seconds without progress after which `serve`'s /health answers 503 (at
    least five tick intervals)."""
    aws_call_rate: int = 20
    """SOJOURN_AWS_CALL_RATE: sso-admin and IAM calls a second at most (Identity Center's collective limit
    is 20); throttles lower it further. Only an endpoint without limits (a moto server) warrants more."""
    aws_faults: tuple[tuple[str, float], ...] = ()
    """SOJOURN_AWS_FAULTS: "Code:chance,..." faults injected into AWS calls (chaos drills only), e.g.
    "ThrottlingException:0.05,EndpointConnectionError:0.02"."""

    def audit_checkpoint_paths(self) -> tuple[Path, Path]:
        """(checkpoint directory, signing key file): as set, else beside the SQLite file, else under
        .sojourn/ named after the database."""
        directory, key = default_audit_paths(self.database_url)
        return self.audit_checkpoint_dir or directory, self.audit_key_file or key

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
            actor=env.get("SOJOURN_ACTOR")
            or env.get("USER")
            or env.get("LOGNAME")
            or operating_system_user(),
            max_concurrency=int(env.get("SOJOURN_MAX_CONCURRENCY", "8")),
            now=_instant(env, "SOJOURN_NOW"),
            crash_at=env.get("SOJOURN_CRASH_AT") or None,
            worker_concurrency=int(env.get("SOJOURN_WORKER_CONCURRENCY", "8")),
            oidc_issuer=env.get("SOJOURN_OIDC_ISSUER") or None,
            oidc_audience=env.get("SOJOURN_OIDC_AUDIENCE", "sojourn"),
            oidc_role_map=env.get("SOJOURN_OIDC_ROLE_MAP", "{}"),
            oidc_client_id=env.get("SOJOURN_OIDC_CLIENT_ID", "sojourn"),
            oidc_client_secret=env.get("SOJOURN_OIDC_CLIENT_SECRET", ""),
            web_url=env.get("SOJOURN_WEB_URL") or None,
            session_key=env.get("SOJOURN_SESSION_KEY", ""),
            snapshot_file=_path(env, "SOJOURN_SNAPSHOT"),
            api_url=env.get("SOJOURN_API_URL") or None,
            api_token=env.get("SOJOURN_TOKEN", ""),
            max_body_bytes=_positive(env, "SOJOURN_MAX_BODY_BYTES", 1 << 20),
            notify_environment={k: v for k, v in env.items() if k.startswith("SOJOURN_")},
            audit_checkpoint_dir=_path(env, "SOJOURN_AUDIT_CHECKPOINT_DIR"),
            audit_key_file=_path(env, "SOJOURN_AUDIT_KEY_FILE"),
            audit_checkpoint_every=_positive(env, "SOJOURN_AUDIT_CHECKPOINT_EVERY", 100),
            key_rotation_targets=_rotation_targets(env.get("SOJOURN_KEY_ROTATION_TARGETS", "")),
            key_max_age_days=_positive(env, "SOJOURN_KEY_MAX_AGE_DAYS", 90),
            key_grace_days=_whole(env, "SOJOURN_KEY_GRACE_DAYS", 7),
            key_rotation_every=_positive(env, "SOJOURN_KEY_ROTATION_EVERY", 3600),
            worker_stale_after=_positive(env, "SOJOURN_WORKER_STALE_AFTER", 30),
            aws_faults=_faults(env.get("SOJOURN_AWS_FAULTS", "")),
            aws_call_rate=_positive(env, "SOJOURN_AWS_CALL_RATE", 20),
        )


def _path(env: Mapping[str, str], variable: str) -> Path | None:
    text = env.get(variable)
    return Path(text).expanduser() if text else None


def _positive(env: Mapping[str, str], variable: str, default: int) -> int:
    text = env.get(variable)
    if not text:
        return default
    if not text.isdigit() or int(text) < 1 or len(text) > 9:
        raise SettingsError(f"{variable}={text!r} must be a whole number from 1 to 999999999")
    return int(text)


def _whole(env: Mapping[str, str], variable: str, default: int) -> int:
    text = env.get(variable)
    if not text:
        return default
    if not text.isdigit() or len(text) > 9:
        raise SettingsError(f"{variable}={text!r} must be a whole number from 0 to 999999999")
    return int(text)


def _rotation_targets(text: str) -> tuple[tuple[str, str], ...]:
    """ "user=secret-id,user2=secret-id2" as (user, secret id) pairs."""
    targets = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        user, _, secret = item.partition("=")
        if not user.strip() or not secret.strip():
            raise SettingsError(
                f"SOJOURN_KEY_ROTATION_TARGETS item {item!r} must be USER=SECRET_ID (e.g. ci=prod/ci-key)"
            )
        targets.append((user.strip(), secret.strip()))
    return tuple(targets)


def _faults(text: str) -> tuple[tuple[str, float], ...]:
    """ "ThrottlingException:0.05,EndpointConnectionError:0.02" as (error code, chance per call) pairs."""
    faults = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        code, _, chance = item.partition(":")
        try:
            value = float(chance)
        except ValueError:
            value = -1.0
        if not code.strip().isidentifier() or not 0.0 <= value <= 1.0:
            raise SettingsError(
                f"SOJOURN_AWS_FAULTS item {item!r} must be CODE:CHANCE with a chance from 0 to 1 "
                "(e.g. ThrottlingException:0.05)"
            )
        faults.append((code.strip(), value))
    return tuple(faults)


def default_audit_paths(database_url: str) -> tuple[Path, Path]:
    """Beside a SQLite file `x.db`: `x.db.checkpoints/` and `x.db.audit-key.pem`; for another database,
    `.sojourn/audit/<host>-<port>-<name>/checkpoints/` and its `audit-key.pem`."""
    scheme, _, rest = database_url.partition("://")
    if scheme.startswith("sqlite"):
        path = rest[1:] if rest.startswith("/") else rest
        if path and path != ":memory:":
            database = Path(path)
            return database.with_name(database.name + ".checkpoints"), database.with_name(
                database.name + ".audit-key.pem"
            )
        base = DEFAULT_STATE_DIR / "audit" / "memory"
    else:
        location = rest.rpartition("@")[2].split("?", 1)[0]
        base = DEFAULT_STATE_DIR / "audit" / "".join(c if c.isalnum() else "-" for c in location)
    return base / "checkpoints", base / "audit-key.pem"


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


def operating_system_user() -> str:
    """The name of the account this process runs as; empty when the system has none for its user id."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return ""


def use_embedded_credentials() -> None:
    """The embedded moto server accepts any key; boto3 only needs one to be set."""
    for key in EMBEDDED_CREDENTIALS:
        os.environ.setdefault(key, EMBEDDED_KEY)


def default_database_url(state_dir: Path = DEFAULT_STATE_DIR) -> str:
    return f"sqlite:///{state_dir / 'sojourn.db'}"
