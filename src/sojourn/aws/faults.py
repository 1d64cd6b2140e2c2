"""Fault injection on real boto3 clients: throttle or fail calls, drop connections, or make async
operations linger.

moto finishes account assignments at once, never throttles and never drops a connection; these hooks let
the tests, the benchmarks and chaos drills (SOJOURN_AWS_FAULTS, see `faults_from_settings`) exercise
Sojourn's retries and status polling against a real moto server.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

log = logging.getLogger("sojourn.faults")
CONNECTION_FAULTS = ("EndpointConnectionError", "ConnectionClosedError", "ReadTimeoutError")
"""Fault codes raised as botocore's network errors instead of answered as an AWS error response."""


@dataclass
class _FakeHttp:
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)
    text: str = ""
    content: bytes = b""


@dataclass
class FaultPlan:
    """Fail every `every`-th call with `code` (or, with `chance`, each call with that probability from a
    seeded generator); only the operations in `only` when it is given. A code of CONNECTION_FAULTS raises
    that network error, as if the endpoint were unreachable or the connection dropped."""

    every: int = 3
    code: str = "ThrottlingException"
    status: int = 400
    only: frozenset[str] | None = None
    chance: float | None = None
    seed: int = 0
    injected: int = 0
    _calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _random: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self._random.seed(self.seed)

    def __call__(self, model: Any, **_: Any) -> tuple[_FakeHttp, dict[str, Any]] | None:
        if self.only is not None and model.name not in self.only:
            return None
        with self._lock:
            self._calls += 1
            hit = (
                self._random.random() < self.chance
                if self.chance is not None
                else not self._calls % self.every
            )
            if not hit:
                return None
            self.injected += 1
        log.warning("injected fault: %s on %s", self.code, model.name)
        if self.code in CONNECTION_FAULTS:
            raise _network_error(self.code)
        return _FakeHttp(self.status), {
            "Error": {"Code": self.code, "Message": "injected fault"},
            "ResponseMetadata": {"HTTPStatusCode": self.status},
        }


def _network_error(code: str) -> Exception:
    endpoint = "injected-fault"
    if code == "EndpointConnectionError":
        return EndpointConnectionError(endpoint_url=endpoint)
    if code == "ConnectionClosedError":
        return ConnectionClosedError(endpoint_url=endpoint)
    return ReadTimeoutError(endpoint_url=endpoint)


def inject_faults(clients: Iterable[Any], plan: FaultPlan) -> FaultPlan:
    for client in clients:
        client.meta.events.register("before-call.*.*", plan)
    return plan


def faults_from_settings(faults: Iterable[tuple[str, float]], seed: int) -> list[FaultPlan]:
    """One plan per (code, chance) of SOJOURN_AWS_FAULTS, each seeded differently from `seed`."""
    return [FaultPlan(code=code, chance=chance, seed=seed + n) for n, (code, chance) in enumerate(faults)]


@dataclass
class LingeringAssignments:
    """Assignment creations report IN_PROGRESS for `polls` status checks, then SUCCEEDED or FAILED."""

    polls: int = 2
    fail_with: str | None = None
    seen: dict[str, int] = field(default_factory=dict)

    def on_create(self, parsed: dict[str, Any], **_: Any) -> None:
        status = parsed.get("AccountAssignmentCreationStatus")
        if status:
            status["Status"] = "IN_PROGRESS"

    def on_describe(self, parsed: dict[str, Any], **_: Any) -> None:
        status = parsed.get("AccountAssignmentCreationStatus")
        if not status:
            return
        count = self.seen.get(status["RequestId"], 0) + 1
        self.seen[status["RequestId"]] = count
        if count <= self.polls:
            status["Status"] = "IN_PROGRESS"
        elif self.fail_with:
            status["Status"] = "FAILED"
            status["FailureReason"] = self.fail_with


def linger_assignments(sso_admin: Any, behaviour: LingeringAssignments) -> LingeringAssignments:
    events = sso_admin.meta.events
    events.register("after-call.sso-admin.CreateAccountAssignment", behaviour.on_create)
    events.register("after-call.sso-admin.DescribeAccountAssignmentCreationStatus", behaviour.on_describe)
    return behaviour
