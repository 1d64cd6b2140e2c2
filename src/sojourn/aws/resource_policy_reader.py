"""Read one account's resource policies: S3 buckets, KMS keys, SQS queues, SNS topics, secrets, functions.

Everything but S3 is read in the configured region only; S3 lists every bucket of the account and reads
each in its own region. What cannot be read (access denied, not supported by the endpoint, a document
that is not JSON) is named in the notes and the rest is kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sojourn.analysis.snapshot import Document, ResourcePolicy
from sojourn.aws.calls import Caller, NotSupportedByEndpoint, error_code

Clients = Callable[[str, str | None], Any]
"""(service, region or None for the configured one) -> a boto3 client of the account's session."""
READ_ERRORS = (ClientError, BotoCoreError, NotSupportedByEndpoint)
NO_POLICY = frozenset({"NoSuchBucketPolicy", "ResourceNotFoundException"})
NOT_FOUND = frozenset({"NotFound", "NotFoundException"})
LEGACY_US_EAST_1 = ("", "US", None)


@dataclass
class ResourcePolicyReader:
    """Reads the policies of one account through its clients, collecting what it could not read."""

    call: Caller
    clients: Clients
    account_id: str
    label: str
    notes: list[str]

    def read(self, function_arns: Iterable[str]) -> tuple[ResourcePolicy, ...]:
        found: list[ResourcePolicy] = []
        readers: list[tuple[str, Callable[[], Iterator[ResourcePolicy]]]] = [
            ("S3 bucket policies", self._buckets),
            ("KMS key policies", self._keys),
            ("SQS queue policies", self._queues),
            ("SNS topic policies", self._topics),
            ("Secrets Manager resource policies", self._secrets),
            ("Lambda function policies", lambda: self._functions(tuple(function_arns))),
        ]
        for what, reader in readers:
            try:
                found += reader()
            except READ_ERRORS as error:
                self.notes.append(f"{what} of {self.label} not read: {_reason(error)}")
        return tuple(sorted(found, key=lambda p: p.arn))

    def _one(
        self,
        service: str,
        arn: str,
        client: Any,
        operation: str,
        path: tuple[str, ...],
        missing: frozenset[str] = NO_POLICY,
        **kwargs: Any,
    ) -> ResourcePolicy | None:
        """One resource's policy (the answer's field at `path`); a failure is noted, the listing goes on."""
        try:
            answer: Any = self.call(client, operation, **kwargs)
        except ClientError as error:
            if error_code(error) not in missing:
                self.notes.append(f"policy of {arn} ({self.label}) not read: {_reason(error)}")
            return None
        except (BotoCoreError, NotSupportedByEndpoint) as error:
            self.notes.append(f"policy of {arn} ({self.label}) not read: {_reason(error)}")
            return None
        for key in path:
            answer = answer.get(key) if isinstance(answer, dict) else None
        return self._parsed(service, arn, answer) if isinstance(answer, str) and answer else None

    def _buckets(self) -> Iterator[ResourcePolicy]:
        s3 = self.clients("s3", None)
        regional: dict[str, Any] = {}
        token: str | None = None
        while True:
            page = self.call(s3, "list_buckets", **({"ContinuationToken": token} if token else {}))
            for bucket in page.get("Buckets", ()):
                name = bucket["Name"]
                region = bucket.get("BucketRegion") or self._bucket_region(s3, name)
                if region is None:
                    continue
                if region not in regional:
                    regional[region] = self.clients("s3", region)
                arn = f"arn:aws:s3:::{name}"
                policy = self._one("s3", arn, regional[region], "get_bucket_policy", ("Policy",), Bucket=name)
                if policy is not None:
                    yield policy
            token = page.get("ContinuationToken")
            if not token:
                return

    def _bucket_region(self, s3: Any, name: str) -> str | None:
        try:
            answer = self.call(s3, "get_bucket_location", Bucket=name)
        except READ_ERRORS as error:
            self.notes.append(f"region of bucket {name} ({self.label}) not read, left out: {_reason(error)}")
            return None
        constraint = answer.get("LocationConstraint")
        if constraint in LEGACY_US_EAST_1:
            return "us-east-1"
        return "eu-west-1" if constraint == "EU" else str(constraint)

    def _keys(self) -> Iterator[ResourcePolicy]:
        kms = self.clients("kms", None)
        aws_managed = {
            alias["TargetKeyId"]
            for alias in self.call.marker_pages(kms, "list_aliases", "Aliases", "NextMarker")
            if alias.get("AliasName", "").startswith("alias/aws/") and "TargetKeyId" in alias
        }
        for key in self.call.marker_pages(kms, "list_keys", "Keys", "NextMarker"):
            if key["KeyId"] in aws_managed:
                continue
            # every KMS key has a key policy, so not finding one is worth a note
            policy = self._one(
                "kms",
                key["KeyArn"],
                kms,
                "get_key_policy",
                ("Policy",),
                frozenset(),
                KeyId=key["KeyId"],
                PolicyName="default",
            )
            if policy is not None:
                yield policy

    def _queues(self) -> Iterator[ResourcePolicy]:
        sqs = self.clients("sqs", None)
        for url in self.call.pages(sqs, "list_queues", "QueueUrls", MaxResults=1000):
            try:
                answer = self.call(
                    sqs, "get_queue_attributes", QueueUrl=url, AttributeNames=["Policy", "QueueArn"]
                )
            except READ_ERRORS as error:
                self.notes.append(f"policy of queue {url} ({self.label}) not read: {_reason(error)}")
                continue
            attributes = answer.get("Attributes", {})
            if "Policy" in attributes:
                policy = self._parsed("sqs", attributes.get("QueueArn", url), attributes["Policy"])
                if policy is not None:
                    yield policy

    def _parsed(self, service: str, arn: str, text: str) -> ResourcePolicy | None:
        try:
            document: Document = json.loads(text)
        except ValueError as error:
            self.notes.append(f"policy of {arn} ({self.label}) is not JSON, left out: {error}")
            return None
        return ResourcePolicy(arn, self.account_id, service, document)

    def _topics(self) -> Iterator[ResourcePolicy]:
        sns = self.clients("sns", None)
        for topic in self.call.pages(sns, "list_topics", "Topics"):
            arn = topic["TopicArn"]
            policy = self._one(
                "sns", arn, sns, "get_topic_attributes", ("Attributes", "Policy"), NOT_FOUND, TopicArn=arn
            )
            if policy is not None:
                yield policy

    def _secrets(self) -> Iterator[ResourcePolicy]:
        secrets = self.clients("secretsmanager", None)
        for secret in self.call.pages(secrets, "list_secrets", "SecretList"):
            arn = secret["ARN"]
            policy = self._one(
                "secretsmanager", arn, secrets, "get_resource_policy", ("ResourcePolicy",), SecretId=arn
            )
            if policy is not None:
                yield policy

    def _functions(self, arns: tuple[str, ...]) -> Iterator[ResourcePolicy]:
        if not arns:
            return
        functions = self.clients("lambda", None)
        for arn in arns:
            policy = self._one("lambda", arn, functions, "get_policy", ("Policy",), FunctionName=arn)
            if policy is not None:
                yield policy


def _reason(error: Exception) -> str:
    if isinstance(error, ClientError):
        return f"{error_code(error) or 'error'}: {error.response.get('Error', {}).get('Message', error)}"
    return str(error)
