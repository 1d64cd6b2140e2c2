"""Account-assignment operations are asynchronous: one watcher follows all of them at once.

Each creation or deletion takes a place in the outstanding window before it is asked for and gives it
back when AWS no longer lists it IN_PROGRESS. Rather than one status call per operation, the watcher
lists what is still IN_PROGRESS (one call for every operation in flight) and, when some have left that
list, which of them FAILED; an endpoint without those list calls (moto) is asked per operation.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sojourn.aws.calls import NotSupportedByEndpoint
from sojourn.aws.identity_center_calls import ChangeFailed, InstanceCalls, settled
from sojourn.aws.pacing import OutstandingWindow

FAILED_EVERY = 3.0
"""Seconds between listings of FAILED operations while others still run: each listing is a call the
creations cannot have, and an ended operation's place in the window is free before it is judged (the
gateway keeps enough workers for the ones waiting)."""


@dataclass(frozen=True)
class _Kind:
    describe: str
    id_field: str
    key: str
    list_operation: str
    list_key: str


KINDS = {
    "creation": _Kind(
        "describe_account_assignment_creation_status",
        "AccountAssignmentCreationRequestId",
        "AccountAssignmentCreationStatus",
        "list_account_assignment_creation_status",
        "AccountAssignmentsCreationStatus",
    ),
    "deletion": _Kind(
        "describe_account_assignment_deletion_status",
        "AccountAssignmentDeletionRequestId",
        "AccountAssignmentDeletionStatus",
        "list_account_assignment_deletion_status",
        "AccountAssignmentsDeletionStatus",
    ),
}


@dataclass
class _Pending:
    kind: str
    request_id: str
    deadline: float
    done: threading.Event = field(default_factory=threading.Event)
    status: dict[str, Any] | None = None
    error: str | None = None
    released: bool = False


class AssignmentWatch:
    """Start operations within the window and wait for their end; one polling thread while any is open."""

    def __init__(
        self, calls: InstanceCalls, window: OutstandingWindow, interval: float, timeout: float
    ) -> None:
        self.calls, self.window = calls, window
        self.interval, self.timeout = interval, timeout
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()
        self._poller: threading.Thread | None = None
        self._no_list: set[str] = set()
        self.last_error = ""
        self._judged: dict[str, float] = {}

    def run(self, kind: str, start: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """`start()` asks AWS for the operation and returns its status; the final status, or ChangeFailed."""
        self.window.acquire()
        try:
            status: dict[str, Any] = start()
        except BaseException:
            self.window.release()
            raise
        if status.get("Status") != "IN_PROGRESS":
            self.window.release()
            return settled(status)
        pending = _Pending(kind, str(status["RequestId"]), time.monotonic() + self.timeout)
        with self._lock:
            self._pending[pending.request_id] = pending
            if self._poller is None:
                self._poller = threading.Thread(target=self._poll, name="assignment-watch", daemon=True)
                self._poller.start()
        pending.done.wait()
        if pending.error is not None:
            raise ChangeFailed(pending.error)
        assert pending.status is not None
        return settled(pending.status)

    def _poll(self) -> None:
        due = time.monotonic() + self.interval
        while True:
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            due = time.monotonic() + self.interval  # one listing every interval, however long a round takes
            with self._lock:
                open_now = list(self._pending.values())
                if not open_now:
                    self._poller = None
                    return
            for kind in {p.kind for p in open_now}:
                try:
                    self._settle(kind, [p for p in open_now if p.kind == kind])
                except Exception as error:  # a failed look is tried again next round; deadlines bound it
                    self.last_error = f"{type(error).__name__}: {error}"
            now = time.monotonic()
            for pending in open_now:
                if not pending.done.is_set() and now > pending.deadline:
                    seen = f"; last status check failed: {self.last_error}" if self.last_error else ""
                    waited = f"still IN_PROGRESS after {self.timeout:.0f}s (request {pending.request_id})"
                    self._finish(pending, error=waited + seen)

    def _settle(self, kind: str, waiting: list[_Pending]) -> None:
        spec = KINDS[kind]
        if kind not in self._no_list:
            try:
                running = {item["RequestId"] for item in self._listed(spec, "IN_PROGRESS")}
            except NotSupportedByEndpoint:
                self._no_list.add(kind)
            else:
                for pending in waiting:
                    if pending.request_id not in running:
                        self._release(pending)  # no longer counts against the window
                self._judge(kind, spec, [p for p in waiting if p.released])
                return
        for pending in waiting:
            status = self._describe(spec, pending.request_id)
            if status.get("Status") != "IN_PROGRESS":
                self._finish(pending, status=status)

    def _judge(self, kind: str, spec: _Kind, ended: list[_Pending]) -> None:
        """Which ended operations FAILED: one listing for all of them, at most every FAILED_EVERY seconds
        while others are still running (their place in the window is already free)."""
        if not ended:
            return
        now = time.monotonic()
        with self._lock:
            others_running = any(p.kind == kind and not p.released for p in self._pending.values())
        if others_running and now - self._judged.get(kind, 0.0) < FAILED_EVERY:
            return
        self._judged[kind] = now
        failed = {item["RequestId"] for item in self._listed(spec, "FAILED")}
        for pending in ended:
            if pending.request_id in failed:
                self._finish(pending, status=self._describe(spec, pending.request_id))
            else:
                self._finish(pending, status={"Status": "SUCCEEDED", "RequestId": pending.request_id})

    def _listed(self, spec: _Kind, state: str) -> list[dict[str, Any]]:
        return list(
            self.calls.call.pages(
                self.calls.clients.sso_admin,
                spec.list_operation,
                spec.list_key,
                InstanceArn=self.calls.instance.instance_arn,
                Filter={"Status": state},
            )
        )

    def _describe(self, spec: _Kind, request_id: str) -> dict[str, Any]:
        return dict(self.calls.sso(spec.describe, **{spec.id_field: request_id})[spec.key])

    def _release(self, pending: _Pending) -> None:
        if not pending.released:
            pending.released = True
            self.window.release()

    def _finish(
        self, pending: _Pending, *, status: dict[str, Any] | None = None, error: str | None = None
    ) -> None:
        self._release(pending)
        pending.status, pending.error = status, error
        with self._lock:
            self._pending.pop(pending.request_id, None)
        pending.done.set()
