"""Every AWS call goes through here: counted, retried with jittered backoff, optionally faulted."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as EndpointUnreachable

from sojourn.aws.pacing import THROTTLE_CODES, Pacing

RETRYABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalServerException",
        "ConflictException",
        "ConcurrentModificationException",
    }
)
NOT_IMPLEMENTED_CODES = frozenset({"NotImplemented", "InternalFailure", "500"})
UNREACHABLE = (EndpointUnreachable, HTTPClientError)
"""botocore's network failures: endpoint unreachable, connection closed or reset, read or connect timeout."""


class NotSupportedByEndpoint(Exception):
    """The endpoint answered that it does not implement an operation (moto's answer to missing APIs)."""


@dataclass
class CallLog:
    """Counts calls per operation; thread-safe."""

    counts: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    throttles: Counter[str] = field(default_factory=Counter)
    """Throttling answers absorbed (retried), per operation."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, operation: str) -> None:
        with self._lock:
            self.counts[operation] += 1

    def retried(self, operation: str) -> None:
        with self._lock:
            self.retries[operation] += 1

    def throttled(self, operation: str) -> None:
        with self._lock:
            self.throttles[operation] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.counts)

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.counts.values())


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay: float = 0.05
    max_delay: float = 5.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max, base * 2^attempt)]."""
        return random.uniform(0, min(self.max_delay, self.base_delay * (2**attempt)))  # noqa: S311 - jitter


class Caller:
    """Calls a boto3 client method with counting and retries on throttling, transient errors and network
    failures (an unreachable endpoint, a closed connection, a timeout)."""

    def __init__(self, log: CallLog, policy: RetryPolicy, pacing: Pacing | None = None) -> None:
        self.log = log
        self.policy = policy
        self.pacing = pacing

    def __call__(self, client: Any, operation: str, **kwargs: Any) -> dict[str, Any]:
        method = getattr(client, operation)
        service = client.meta.service_model.service_name
        label = f"{service}:{operation}"
        pacing = self.pacing
        attempt = 0
        while True:
            self.log.count(label)
            if pacing is not None:
                pacing.before(service)
            try:
                result: dict[str, Any] = method(**kwargs)
            except UNREACHABLE:
                attempt += 1
                if attempt >= self.policy.max_attempts:
                    raise
                self.log.retried(label)
                self.policy.sleep(self.policy.delay(attempt))
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                if pacing is not None:
                    pacing.answered(service, operation, code)
                if code in THROTTLE_CODES:
                    self.log.throttled(label)
                status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
                unsupported = code in NOT_IMPLEMENTED_CODES or (
                    status == 500 and "not yet implemented" in str(error)
                )
                attempt += 1
                if unsupported and (
                    code == "NotImplemented" or "not yet implemented" in str(error) or attempt > 1
                ):
                    raise NotSupportedByEndpoint(f"{operation}: {error}") from error
                if unsupported:
                    # an internal failure may be transient: one more try before calling it unsupported
                    self.log.retried(label)
                    self.policy.sleep(self.policy.delay(attempt))
                    continue
                if code not in RETRYABLE_CODES or attempt >= self.policy.max_attempts:
                    error.add_note(f"iam action: {iam_action(client, operation)}")
                    raise
                self.log.retried(label)
                self.policy.sleep(self.policy.delay(attempt))
            else:
                if pacing is not None:
                    pacing.answered(service, operation, None)
                return result

    def pages(self, client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
        """Yield the items under `key` of every page, following NextToken."""
        token: str | None = None
        while True:
            page = self(client, operation, **kwargs, **({"NextToken": token} if token else {}))
            yield from page.get(key, [])
            token = page.get("NextToken")
            if not token:
                return

    def marker_pages(
        self, client: Any, operation: str, key: str, next_key: str = "Marker", **kwargs: Any
    ) -> Iterator[Any]:
        """Yield the items under `key` of every page, following IAM's Marker or Lambda's NextMarker."""
        marker: str | None = None
        while True:
            page = self(client, operation, **kwargs, **({"Marker": marker} if marker else {}))
            yield from page.get(key, [])
            marker = page.get(next_key)
            if not marker:
                return


def iam_action(client: Any, operation: str) -> str:
    """The IAM action a boto3 method stands for, e.g. sso:ListInstances for sso-admin's list_instances."""
    meta = client.meta
    name = meta.method_to_api_mapping.get(operation, operation)
    return f"{meta.service_model.signing_name}:{name}"


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
