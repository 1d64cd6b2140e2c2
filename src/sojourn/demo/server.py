"""The embedded AWS stand-in: a moto server bound to 127.0.0.1, started and stopped by Sojourn."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from types import TracebackType
from typing import Any


@dataclass
class EmbeddedMoto:
    """A moto server in this process; use as a context manager, read `endpoint_url` inside."""

    seed: int = 42
    port: int = 0
    """0: any free port."""
    separate_process: bool = False
    """Run moto in its own process (benchmarks: no GIL shared with the client)."""
    _server: Any = None
    endpoint_url: str = ""

    def __enter__(self) -> EmbeddedMoto:
        if self.separate_process:
            return self._start_process()
        try:
            from moto.server import ThreadedMotoServer
        except ImportError as error:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "the embedded default needs moto's server; install it with: pip install -e '.[demo]'"
            ) from error
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        self._post(f"/moto-api/seed?a={self.seed}")
        return self

    def _start_process(self) -> EmbeddedMoto:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self._server = subprocess.Popen(  # noqa: S603 - our own interpreter running moto
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.endpoint_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                self._post(f"/moto-api/seed?a={self.seed}")
                return self
            except OSError:
                if time.monotonic() > deadline:
                    self._server.kill()
                    raise
                time.sleep(0.1)

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        if isinstance(self._server, subprocess.Popen):
            self._server.terminate()
            self._server.wait(timeout=10)
        elif self._server is not None:
            self._server.stop()
        self._server = None

    def _post(self, path: str) -> None:
        request = urllib.request.Request(self.endpoint_url + path, method="POST", data=b"")  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback moto server
            if response.status != 200:
                raise RuntimeError(f"moto answered {response.status} to {path}")
