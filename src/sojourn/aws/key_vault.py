"""IAM access keys and the Secrets Manager secret holding the one in use (the KeyVault port), through boto3.

The secret's value is JSON: {"AccessKeyId": ..., "SecretAccessKey": ...}; the version being rotated in is
labelled AWSPENDING until it is verified, then AWSCURRENT (the former current becomes AWSPREVIOUS).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError

from sojourn.aws.calls import Caller, CallLog, RetryPolicy, error_code
from sojourn.aws.clients import client_factory
from sojourn.aws.settings import AwsSettings
from sojourn.service.ports.key_rotation import Observed, Outcome
from sojourn.workflow.key_rotation import KeyState, RotationRefused

CURRENT, PENDING = "AWSCURRENT", "AWSPENDING"


@dataclass
class Boto3KeyVault:
    """Implements KeyVault with IAM, Secrets Manager and STS clients of one session."""

    settings: AwsSettings

    def __post_init__(self) -> None:
        client = client_factory(self.settings)
        self.iam, self.secrets = client("iam"), client("secretsmanager")
        self.call = Caller(CallLog(), RetryPolicy(max_attempts=self.settings.max_attempts))

    def observe(self, user: str, secret_id: str) -> Observed:
        keys = tuple(
            KeyState(k["AccessKeyId"], k["Status"] == "Active")
            for k in self.call.marker_pages(self.iam, "list_access_keys", "AccessKeyMetadata", UserName=user)
        )
        try:
            stages = self.call(self.secrets, "describe_secret", SecretId=secret_id).get(
                "VersionIdsToStages", {}
            )
        except ClientError as error:
            if error_code(error) == "ResourceNotFoundException":
                raise RotationRefused(
                    f"no secret {secret_id}: create it first "
                    f"(aws secretsmanager create-secret --name {secret_id})"
                ) from error
            raise
        current = next((v for v, labels in stages.items() if CURRENT in labels), None)
        pending = next((v for v, labels in stages.items() if PENDING in labels), None)
        return Observed(
            keys,
            current_key_id=self._key_id(secret_id, current),
            current_version=current,
            pending_version=pending,
            pending_key_id=self._key_id(secret_id, pending),
        )

    def _value(self, secret_id: str, version: str) -> dict[str, Any]:
        answer = self.call(self.secrets, "get_secret_value", SecretId=secret_id, VersionId=version)
        try:
            value = json.loads(answer.get("SecretString") or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def _key_id(self, secret_id: str, version: str | None) -> str | None:
        if version is None:
            return None
        key_id = self._value(secret_id, version).get("AccessKeyId")
        return key_id if isinstance(key_id, str) else None

    def create_key(self, user: str) -> tuple[str, str]:
        key = self.call(self.iam, "create_access_key", UserName=user)["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"]

    def store_pending(self, secret_id: str, version: str, key_id: str, secret: str) -> None:
        value = json.dumps({"AccessKeyId": key_id, "SecretAccessKey": secret})
        self.call(
            self.secrets,
            "put_secret_value",
            SecretId=secret_id,
            ClientRequestToken=version,
            SecretString=value,
            VersionStages=[PENDING],
        )

    def verify(self, user: str, secret_id: str, version: str) -> Outcome:
        value = self._value(secret_id, version)
        if not value.get("AccessKeyId") or not value.get("SecretAccessKey"):
            return Outcome(ok=False, error=f"version {version} of {secret_id} holds no access key")
        session = boto3.session.Session(
            aws_access_key_id=value["AccessKeyId"],
            aws_secret_access_key=value["SecretAccessKey"],
            region_name=self.settings.region,
        )
        sts = session.client("sts", endpoint_url=self.settings.endpoint_url)
        try:
            arn = str(sts.get_caller_identity()["Arn"])
        except ClientError as error:
            return Outcome(ok=False, error=f"{error_code(error)} from sts:GetCallerIdentity")
        if not arn.endswith(f":user/{user}") and f":user/{user}" not in arn:
            return Outcome(ok=False, error=f"the key answers as {arn}, not as user {user}")
        return Outcome(ok=True)

    def promote(self, secret_id: str, version: str, from_version: str | None) -> None:
        moved = {"RemoveFromVersionId": from_version} if from_version else {}
        self.call(
            self.secrets,
            "update_secret_version_stage",
            SecretId=secret_id,
            VersionStage=CURRENT,
            MoveToVersionId=version,
            **moved,
        )
        self.remove_pending(secret_id, version)

    def remove_pending(self, secret_id: str, version: str) -> None:
        self.call(
            self.secrets,
            "update_secret_version_stage",
            SecretId=secret_id,
            VersionStage=PENDING,
            RemoveFromVersionId=version,
        )

    def deactivate(self, user: str, key_id: str) -> None:
        self.call(self.iam, "update_access_key", UserName=user, AccessKeyId=key_id, Status="Inactive")

    def delete_key(self, user: str, key_id: str) -> None:
        try:
            self.call(self.iam, "delete_access_key", UserName=user, AccessKeyId=key_id)
        except ClientError as error:
            if error_code(error) != "NoSuchEntity":
                raise

    def key_created(self, user: str, key_id: str) -> datetime | None:
        for key in self.call.marker_pages(self.iam, "list_access_keys", "AccessKeyMetadata", UserName=user):
            if key["AccessKeyId"] == key_id:
                created: datetime = key["CreateDate"]
                return created.astimezone(UTC) if created.tzinfo else created.replace(tzinfo=UTC)
        return None
