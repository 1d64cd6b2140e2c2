"""A second moto server over the same (process-wide) moto state that can be stopped and started again on
the same port: an AWS outage as a client sees it (connection refused), and every AWS change recorded."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

CHANGES = ("CreateAccountAssignment", "DeleteAccountAssignment")


@dataclass(frozen=True)
class Call:
    """One assignment change that reached AWS: when, which, and its request (account, set, principal)."""

    at: float
    operation: str
    body: dict[str, Any]


@dataclass
class OutageMoto:
    """Serves moto on 127.0.0.1; `stop()` makes the endpoint refuse connections until `start()`."""

    port: int = 0
    calls: list[Call] = field(default_factory=list)
    _server: BaseWSGIServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> OutageMoto:
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        app = DomainDispatcherApplication(create_backend_app)
        self._server = make_server("127.0.0.1", self.port, self._recording(app), threaded=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def changes(self) -> list[Call]:
        with self._lock:
            return list(self.calls)

    def _recording(self, app: Any) -> Callable[..., Iterable[bytes]]:
        def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            operation = str(environ.get("HTTP_X_AMZ_TARGET", "")).rpartition(".")[2]
            if operation in CHANGES:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                raw = environ["wsgi.input"].read(length)
                environ["wsgi.input"] = io.BytesIO(raw)
                answer = list(app(environ, start_response))
                with self._lock:
                    self.calls.append(Call(time.time(), operation, json.loads(raw or b"{}")))
                return answer
            result: Iterable[bytes] = app(environ, start_response)
            return result

        return serve
