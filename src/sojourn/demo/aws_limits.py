"""AWS's limits in front of moto: a loopback proxy that throttles like Identity Center and IAM do.

moto answers as fast as it can and never says no. This proxy sits between a client and a moto server and
answers the way AWS does under load (docs/aws.md, "The limiter"):

- a token bucket per service (by the SigV4 signing name): 20 calls a second collective over `sso` (all of
  sso-admin), and an IAM-like bucket for `iam`; beyond it, ThrottlingException (HTTP 400, the error shape
  of the service's protocol);
- account-assignment creations and deletions are answered IN_PROGRESS and finish after a seeded latency;
  the Describe...Status and List...Status calls report them from here; at most 10 outstanding at once
  (ThrottlingException beyond), and a second operation on a pair with one outstanding is a
  ConflictException.

It is for tests, benchmarks and `sojourn demo`, never in the production path.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from sojourn.demo.aws_limits_ops import AsyncOperations, Refusal


@dataclass(frozen=True)
class Limits:
    """What the proxy allows; the defaults are Identity Center's documented limits."""

    rates: dict[str, float] = field(default_factory=lambda: {"sso": 20.0})
    """Calls a second per signing name ("sso" is sso-admin, "iam" IAM); names not listed are not limited."""
    burst: float = 1.0
    """Seconds of calls the bucket holds when full."""
    max_outstanding: int = 10
    latency: tuple[float, float] = (2.0, 4.0)
    """Seconds an assignment operation stays IN_PROGRESS, uniform in [low, high], seeded."""
    failures: float = 0.0
    """The share of assignment operations that end FAILED without changing anything (seeded)."""
    seed: int = 17


class _Bucket:
    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.capacity = rate, max(1.0, rate * burst)
        self.tokens, self.at = self.capacity, time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return True
            return False


_HOP_HEADERS = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "host"})


class LimitedAws:
    """The proxy, as a context manager: `endpoint_url` inside it is what clients use instead of moto's."""

    def __init__(
        self,
        upstream: str,
        limits: Limits | None = None,
        rewrite: Callable[[str, bytes], bytes] | None = None,
    ) -> None:
        self.upstream = urlsplit(upstream)
        self.rewrite = rewrite
        """Applied to each forwarded answer with its service's signing name (to mend moto's answers)."""
        self.limits = limits or Limits()
        self.buckets = {name: _Bucket(rate, self.limits.burst) for name, rate in self.limits.rates.items()}
        self.operations = AsyncOperations(
            self.limits.max_outstanding,
            self.limits.latency,
            random.Random(self.limits.seed),  # noqa: S311
            self.limits.failures,
        )
        self.counts: Counter[str] = Counter()
        """What was answered: calls per signing name, `throttled:NAME`, `conflict`, `outstanding-limit`,
        `failed` (operations that will end FAILED)."""
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.endpoint_url = ""

    def count(self, key: str) -> None:
        with self._lock:
            self.counts[key] += 1

    def __enter__(self) -> LimitedAws:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="limited-aws", daemon=True).start()
        host, port = self._server.server_address[:2]
        self.endpoint_url = f"http://{host!s}:{port}"
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(
            self.upstream.hostname or "127.0.0.1", self.upstream.port, timeout=120
        )
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            kept = {k: v for k, v in response.getheaders() if k.lower() not in _HOP_HEADERS}
            return response.status, kept, data
        finally:
            connection.close()


def signing_name(authorization: str) -> str:
    """The service a SigV4 request is signed for: `Credential=KEY/DATE/REGION/SERVICE/aws4_request`."""
    _, _, credential = authorization.partition("Credential=")
    parts = credential.split(",")[0].split("/")
    return parts[3] if len(parts) >= 5 else ""


def error_answer(service: str, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    """An AWS error in the protocol of the service: JSON for sso-admin and others, XML for IAM's query."""
    if service == "iam":
        body = (
            '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
            f"<Code>{code}</Code><Message>{message}</Message></Error>"
            "<RequestId>limited-aws</RequestId></ErrorResponse>"
        ).encode()
        return 400, {"Content-Type": "text/xml"}, body
    payload = json.dumps({"__type": code, "message": message}).encode()
    return 400, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}, payload


def _handler_for(proxy: LimitedAws) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def do_PUT(self) -> None:
            self._handle()

        def do_DELETE(self) -> None:
            self._handle()

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
            status, answer_headers, answer = self._answer(headers, body)
            self.send_response(status)
            for key, value in answer_headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def _answer(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
            service = signing_name(headers.get("Authorization", ""))
            proxy.count(service or "unsigned")
            bucket = proxy.buckets.get(service)
            if bucket is not None and not bucket.take():
                proxy.count(f"throttled:{service}")
                code = "Throttling" if service == "iam" else "ThrottlingException"
                return error_answer(service, code, "Rate exceeded")
            target = headers.get("X-Amz-Target", "").rpartition(".")[2]
            if service == "sso" and target:
                return self._sso(target, headers, body)
            status, answer_headers, answer = proxy.forward(self.command, self.path, headers, body)
            if proxy.rewrite is not None and status == 200:
                answer = proxy.rewrite(service, answer)
            return status, answer_headers, answer

        def _sso(
            self, target: str, headers: dict[str, str], body: bytes
        ) -> tuple[int, dict[str, str], bytes]:
            request = json.loads(body or b"{}")
            operations = proxy.operations
            local = operations.answer_status(target, request)
            if local is not None:
                return 200, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(local).encode()
            kind = {"CreateAccountAssignment": "creation", "DeleteAccountAssignment": "deletion"}.get(target)
            if kind is None:
                return proxy.forward(self.command, self.path, headers, body)
            try:
                ticket = operations.reserve(request)
            except Refusal as refused:
                proxy.count(refused.counter)
                return error_answer("sso", refused.code, str(refused))
            if operations.will_fail():
                proxy.count("failed")
                failing = operations.started_to_fail(ticket, kind, request)
                return 200, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(failing).encode()
            try:
                status, answer_headers, answer = proxy.forward(self.command, self.path, headers, body)
            except BaseException:
                operations.cancel(ticket)
                raise
            if status != 200:
                operations.cancel(ticket)
                return status, answer_headers, answer
            return (
                status,
                answer_headers,
                json.dumps(operations.started(ticket, kind, json.loads(answer))).encode(),
            )

    return Handler
