"""boto3 clients for Sojourn, built on demand (never at import) with botocore's own retries off."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.loaders import Loader

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


_LOADER: Loader | None = None


def _core_session() -> botocore.session.Session:
    """A new botocore session (its own credentials and configuration) sharing one loader of the service
    models, so that a snapshot's clients in each account do not read and parse the models again."""
    global _LOADER
    session = botocore.session.Session()
    if _LOADER is None:
        _LOADER = session.get_component("data_loader")
    else:
        session.register_component("data_loader", _LOADER)
    return session


def client_factory(
    settings: AwsSettings, credentials: Mapping[str, str] | None = None
) -> Callable[[str], Any]:
    """Clients of one session: the configured profile, or temporary credentials of an assumed role."""
    if credentials is None:
        session = boto3.session.Session(
            profile_name=settings.profile, region_name=settings.region, botocore_session=_core_session()
        )
    else:
        session = boto3.session.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=settings.region,
            botocore_session=_core_session(),
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
