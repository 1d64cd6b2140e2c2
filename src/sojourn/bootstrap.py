"""The composition root: the one place that builds adapters from settings and hands them to use cases."""

from __future__ import annotations

from dataclasses import dataclass, field

from sojourn.aws.gateway import Boto3IdentityCenter
from sojourn.aws.settings import AwsSettings
from sojourn.catalog import ActionCatalog, load_catalog
from sojourn.clock import Clock, SystemClock
from sojourn.settings import Settings
from sojourn.store import Store, open_store


@dataclass
class Runtime:
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    _store: Store | None = None
    _gateway: Boto3IdentityCenter | None = None
    _catalog: ActionCatalog | None = None

    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings.database_url)
        return self._store

    def gateway(self, *, region: str | None = None, instance_arn: str | None = None) -> Boto3IdentityCenter:
        if self._gateway is None:
            aws = AwsSettings(
                region=region or self.settings.aws_region,
                endpoint_url=self.settings.aws_endpoint_url,
                max_concurrency=self.settings.max_concurrency,
            )
            self._gateway = Boto3IdentityCenter(aws, instance_arn=instance_arn)
        return self._gateway

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def catalog(self) -> ActionCatalog:
        """The IAM action catalogue, loaded once per process on first use."""
        if self._catalog is None:
            self._catalog = load_catalog()
        return self._catalog
