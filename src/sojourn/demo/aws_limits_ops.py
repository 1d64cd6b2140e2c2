"""The limiter's asynchronous account-assignment operations: outstanding limit, conflicts, status answers."""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

_STATUS_KEYS = {
    "creation": ("AccountAssignmentCreationStatus", "AccountAssignmentsCreationStatus"),
    "deletion": ("AccountAssignmentDeletionStatus", "AccountAssignmentsDeletionStatus"),
}
_DESCRIBE = {
    "DescribeAccountAssignmentCreationStatus": ("creation", "AccountAssignmentCreationRequestId"),
    "DescribeAccountAssignmentDeletionStatus": ("deletion", "AccountAssignmentDeletionRequestId"),
}
_LIST = {
    "ListAccountAssignmentCreationStatus": "creation",
    "ListAccountAssignmentDeletionStatus": "deletion",
}
PAGE = 100


class Refusal(Exception):
    """An operation the limits refuse; `code` is the AWS error code, `counter` what the proxy counts."""

    def __init__(self, code: str, counter: str, message: str) -> None:
        super().__init__(message)
        self.code, self.counter = code, counter


FAILURE_REASON = "Request failed: the limiter ended this operation FAILED, as AWS sometimes does"


@dataclass
class _Operation:
    kind: str
    pair: tuple[str, str, str, str]
    status: dict[str, Any]
    done_at: float
    fails: bool = False

    def current(self, now: float) -> dict[str, Any]:
        if now < self.done_at:
            return {**self.status, "Status": "IN_PROGRESS"}
        if self.fails:
            return {**self.status, "Status": "FAILED", "FailureReason": FAILURE_REASON}
        return {**self.status, "Status": "SUCCEEDED"}


@dataclass(frozen=True)
class Ticket:
    pair: tuple[str, str, str, str]


class AsyncOperations:
    """Every operation the proxy started, by request id; at most `limit` of them IN_PROGRESS at once."""

    def __init__(
        self, limit: int, latency: tuple[float, float], rng: random.Random, failures: float = 0.0
    ) -> None:
        self.limit, self.latency, self.rng = limit, latency, rng
        self.failures = failures
        """The share of operations that end FAILED; such an operation is never sent to moto."""
        self.by_id: dict[str, _Operation] = {}
        self.busy: dict[tuple[str, str, str, str], float] = {}
        """Pairs with an operation reserved (until infinity) or IN_PROGRESS (until its end)."""
        self.peak = 0
        self.lock = threading.Lock()

    def outstanding(self) -> int:
        with self.lock:
            self._settle(time.monotonic())
            return len(self.busy)

    def _settle(self, now: float) -> None:
        for pair in [p for p, until in self.busy.items() if now >= until]:
            del self.busy[pair]

    def reserve(self, request: dict[str, Any]) -> Ticket:
        """Room for one more operation on this pair, or a Refusal (conflict, or too many outstanding)."""
        pair = (
            str(request.get("TargetId")),
            str(request.get("PermissionSetArn")),
            str(request.get("PrincipalType")),
            str(request.get("PrincipalId")),
        )
        now = time.monotonic()
        with self.lock:
            self._settle(now)
            if pair in self.busy:
                raise Refusal(
                    "ConflictException",
                    "conflict",
                    "an operation on this account, permission set and principal is already in progress",
                )
            if len(self.busy) >= self.limit:
                raise Refusal(
                    "ThrottlingException",
                    "outstanding-limit",
                    f"too many account assignment operations in progress (at most {self.limit})",
                )
            self.busy[pair] = float("inf")
            self.peak = max(self.peak, len(self.busy))
        return Ticket(pair)

    def will_fail(self) -> bool:
        with self.lock:
            return self.failures > 0 and self.rng.random() < self.failures

    def started_to_fail(self, ticket: Ticket, kind: str, request: dict[str, Any]) -> dict[str, Any]:
        """An operation AWS accepts and later reports FAILED, having changed nothing."""
        target, permission_set, principal_type, principal = ticket.pair
        request_id = str(uuid.uuid4())
        status: dict[str, Any] = {
            "RequestId": request_id,
            "TargetId": target,
            "TargetType": str(request.get("TargetType", "AWS_ACCOUNT")),
            "PermissionSetArn": permission_set,
            "PrincipalType": principal_type,
            "PrincipalId": principal,
            "CreatedDate": datetime.now(UTC).timestamp(),
        }
        key = _STATUS_KEYS[kind][0]
        with self.lock:
            done_at = time.monotonic() + self.rng.uniform(*self.latency)
            self.by_id[request_id] = _Operation(kind, ticket.pair, status, done_at, fails=True)
            self.busy[ticket.pair] = done_at
        return {key: {**status, "Status": "IN_PROGRESS"}}

    def cancel(self, ticket: Ticket) -> None:
        with self.lock:
            self.busy.pop(ticket.pair, None)

    def started(self, ticket: Ticket, kind: str, answer: dict[str, Any]) -> dict[str, Any]:
        """moto made the change at once; from now on it reads IN_PROGRESS until its latency has passed."""
        key = _STATUS_KEYS[kind][0]
        status = dict(answer[key])
        with self.lock:
            done_at = time.monotonic() + self.rng.uniform(*self.latency)
            self.by_id[str(status["RequestId"])] = _Operation(kind, ticket.pair, status, done_at)
            self.busy[ticket.pair] = done_at
        return {key: {**status, "Status": "IN_PROGRESS"}}

    def answer_status(self, target: str, request: dict[str, Any]) -> dict[str, Any] | None:
        """Describe/List ...Status answered from here (None: not a status call, or not ours)."""
        now = time.monotonic()
        if target in _DESCRIBE:
            kind, id_field = _DESCRIBE[target]
            with self.lock:
                self._settle(now)
                operation = self.by_id.get(str(request.get(id_field)))
                if operation is None or operation.kind != kind:
                    return None
                return {_STATUS_KEYS[kind][0]: _wire(operation.current(now))}
        if target in _LIST:
            kind = _LIST[target]
            wanted = (request.get("Filter") or {}).get("Status")
            with self.lock:
                self._settle(now)
                listed = [
                    {
                        "Status": c["Status"],
                        "RequestId": c["RequestId"],
                        "CreatedDate": _wire(c)["CreatedDate"],
                    }
                    for c in (o.current(now) for o in self.by_id.values() if o.kind == kind)
                    if wanted is None or c["Status"] == wanted
                ]
            start = int(request.get("NextToken") or 0)
            size = min(PAGE, int(request.get("MaxResults") or PAGE))
            page: dict[str, Any] = {_STATUS_KEYS[kind][1]: listed[start : start + size]}
            if start + size < len(listed):
                page["NextToken"] = str(start + size)
            return page
        return None


def _wire(status: dict[str, Any]) -> dict[str, Any]:
    """JSON numbers for dates, as the sso-admin protocol sends them."""
    created = status.get("CreatedDate")
    if isinstance(created, str):
        try:
            created = datetime.fromisoformat(created).timestamp()
        except ValueError:
            created = None
    if not isinstance(created, int | float):
        created = datetime.now(UTC).timestamp()
    return {**status, "CreatedDate": created}
