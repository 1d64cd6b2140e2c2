"""boto3 clients for Sojourn, built on demand (never at import) with botocore's own retries off."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from sojourn.aws.settings import AwsSettings


@dataclass(frozen=True)
class AwsClients:
    organizations: Any
    sso_admin: Any
    identitystore: Any


def build_clients(settings: AwsSettings) -> AwsClients:
    """One session, three clients; retries are Sojourn's (jittered, counted), not botocore's."""
    client = client_factory(settings)
    return AwsClients(client("organizations"), client("sso-admin"), client("identitystore"))


def client_factory(
    settings: AwsSettings, credentials: Mapping[str, str] | None = None
) -> Callable[[str], Any]:
    """Clients of one session: the configured profile, or temporary credentials of an assumed role."""
    if credentials is None:
        session = boto3.session.Session(profile_name=settings.profile, region_name=settings.region)
    else:
        session = boto3.session.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=settings.region,
        )
    config = Config(
        retries={"mode": "standard", "total_max_attempts": 1},
        max_pool_connections=max(10, settings.max_concurrency * 2),
        connect_timeout=10,
        read_timeout=60,
    )

    def client(name: str) -> Any:
        return session.client(name, endpoint_url=settings.endpoint_url, config=config)  # type: ignore[call-overload]

    return client
