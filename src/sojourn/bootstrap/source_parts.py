"""The composition root's readers: CloudTrail sources, the usage table, policy and credential sources."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sojourn.activity.athena_trail import AthenaTrail
from sojourn.activity.local_files import LocalTrail
from sojourn.activity.s3_files import S3Trail
from sojourn.aws.authorization_file import snapshot_from_details
from sojourn.aws.clients import client_factory
from sojourn.aws.hygiene_reader import Boto3HygieneSource, identity_center_assignments
from sojourn.aws.snapshot_reader import Boto3PolicySource
from sojourn.bootstrap.runtime_core import RuntimeCore
from sojourn.service.ports.activity import TrailSource, UsageRepository
from sojourn.service.ports.hygiene import AccessState, AssignmentsReader, HygieneSource
from sojourn.service.ports.provider import DetailsReader, PolicySource
from sojourn.usage.athena_sql import AthenaStatus, AthenaTable


class SourceParts(RuntimeCore):
    """Builds the adapters that read activity, policies and credentials for analysis."""

    def local_trail(self, directory: Path) -> TrailSource:
        """CloudTrail log files under `directory`, aggregated by DuckDB; close it when done."""
        return LocalTrail(directory, self.event_rules(), catalog=self.catalog())

    def s3_trail(self, bucket: str, prefix: str) -> TrailSource:
        """CloudTrail log files under s3://bucket/prefix (the settings' AWS endpoint and region)."""
        aws = self.aws_settings()
        return S3Trail(client_factory(aws)("s3"), bucket, prefix, self.event_rules(), catalog=self.catalog())

    def athena_trail(
        self,
        table: AthenaTable,
        *,
        workgroup: str,
        output: str,
        on_status: Callable[[AthenaStatus], None] | None = None,
    ) -> TrailSource:
        """The trail's Athena table, aggregated by Athena in account/region/day slices."""
        aws = self.aws_settings()
        return AthenaTrail(
            client_factory(aws)("athena"),
            table,
            self.event_rules(),
            workgroup=workgroup,
            output=output,
            now=self.clock.now,
            on_status=on_status,
        )

    def usage(self) -> UsageRepository:
        """The usage table and the ingested log files, in Sojourn's database."""
        return self.store().usage

    def policy_source(self, read_role: str) -> PolicySource:
        """Every account's policies for analysis, read through the role `read_role` assumed in each."""
        aws = self.aws_settings()
        return Boto3PolicySource(aws, read_role)

    def hygiene_source(self, read_role: str) -> HygieneSource:
        """Every account's credential facts from IAM, read through the role `read_role` assumed in each."""
        aws = self.aws_settings()
        return Boto3HygieneSource(aws, read_role)

    def assignments_reader(self) -> AssignmentsReader:
        """Identity Center's observed assignments, every user and group asked (for idle assignments)."""
        aws = self.aws_settings()

        def read() -> AccessState:
            return identity_center_assignments(aws)

        return read

    def details_reader(self) -> DetailsReader:
        """Snapshots from saved `aws iam get-account-authorization-details` output."""
        return snapshot_from_details
