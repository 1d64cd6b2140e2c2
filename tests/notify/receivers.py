"""Real local receivers for the notification tests: an HTTP server and an SMTP server (aiosmtpd), both on
127.0.0.1 with a port the operating system picks, and a throw-away TLS certificate for STARTTLS."""

from __future__ import annotations

import ipaddress
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope


@dataclass
class Receiver:
    """What the HTTP server saw, and how it should answer."""

    bodies: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    """Accepted requests: (headers with lower-case names, raw body)."""
    requests: int = 0
    fail_first: int = 0
    """Answer this many requests with `fail_status` before accepting."""
    fail_status: int = 500
    hold: threading.Event | None = None
    """If set, each request waits for this event before it is answered (a slow receiver)."""
    entered: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    """An HTTP server on 127.0.0.1; yields its state and the URL to post to."""
    state = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.entered.set()
            if state.hold is not None:
                state.hold.wait(5)
            with lock:
                state.requests += 1
                failing = state.fail_first > 0
                state.fail_first -= failing
                if not failing:
                    state.bodies.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(state.fail_status if failing else 200)
            self.end_headers()
            self.wfile.write(b"receiver says no" if failing else b"ok")
            if not failing:
                state.arrived.set()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/hooks/T0001/B0002/xoxsecretpath"
    if state.hold is not None:
        state.hold.set()
    server.shutdown()
    server.server_close()


class LocalSmtp(Controller):
    """aiosmtpd's Controller on port 0: learn the port the OS picked before the start-up probe uses it."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = int(self.server.sockets[0].getsockname()[1])
        super()._trigger_server()


class Inbox:
    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A plain SMTP server on 127.0.0.1; yields the inbox and the port."""
    inbox = Inbox()
    controller = LocalSmtp(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    yield inbox, controller.port
    controller.stop()


@dataclass(frozen=True)
class Tls:
    server: ssl.SSLContext
    client: ssl.SSLContext


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    """A self-signed certificate for 127.0.0.1; contexts for a server using it and a client trusting it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder: Path = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    return Tls(server, ssl.create_default_context(cafile=str(cert_file)))
