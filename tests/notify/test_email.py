"""E-mail to a real SMTP server (aiosmtpd): plain, and STARTTLS with login; the password never shows."""

from __future__ import annotations

import logging
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from sojourn.notify.dispatcher import Dispatcher
from sojourn.notify.email import BREAK_GLASS_WARNING, SmtpMail, body, subject
from tests.notify.receivers import Inbox, LocalSmtp, Tls
from tests.notify.samples import sample

PASSWORD = "hunter2-Secret"


def _parse(raw: bytes | str | None) -> Message:
    assert isinstance(raw, bytes)
    return message_from_bytes(raw)


def test_mail_reaches_the_server_with_subject_recipients_and_facts(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    channel = SmtpMail("127.0.0.1", port, "sojourn@example.com", ["sec@example.com", "ops@example.com"])
    channel.send(sample("granted"))
    envelope = inbox.envelopes[0]
    assert envelope.mail_from == "sojourn@example.com"
    assert envelope.rcpt_tos == ["sec@example.com", "ops@example.com"]
    mail = _parse(envelope.original_content)
    assert mail["Subject"] == "[Sojourn] granted: alice prod-admin"
    assert mail["To"] == "sec@example.com, ops@example.com"
    text = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "alice" in text and "INC-4711 failover" in text and "2026-11-24T10:00:00+00:00" in text


def test_break_glass_mail_opens_with_a_warning_and_headers_stay_one_line() -> None:
    n = sample("break_glass", person="alice\r\nBcc: mallory@example.com")
    assert "\n" not in subject(n) and "\r" not in subject(n)
    assert body(n).splitlines()[2] == BREAK_GLASS_WARNING


def test_starttls_and_login_and_the_password_never_shows(tls: Tls, caplog: pytest.LogCaptureFixture) -> None:
    inbox = Inbox()
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == PASSWORD.encode(), handled=False)

    controller = LocalSmtp(
        inbox,
        hostname="127.0.0.1",
        port=0,
        tls_context=tls.server,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    )
    controller.start()
    try:
        caplog.set_level(logging.DEBUG)
        options: dict[str, Any] = {"starttls": True, "username": "sojourn", "tls_context": tls.client}
        good = SmtpMail(
            "127.0.0.1", controller.port, "s@example.com", ["a@example.com"], password=PASSWORD, **options
        )
        bad = SmtpMail(
            "127.0.0.1", controller.port, "s@example.com", ["a@example.com"], password="nope", **options
        )
        good.send(sample("revoked"))
        results = Dispatcher([good, bad], attempts=2, sleep=lambda _: None).deliver(sample("revoked"))
    finally:
        controller.stop()
    assert logins[0] == (b"sojourn", PASSWORD.encode()) and len(inbox.envelopes) == 2
    assert [r.delivered for r in results] == [True, False]
    assert results[1].error is not None and "SMTPAuthenticationError" in results[1].error
    for shown in [repr(good), repr(bad), caplog.text, repr(results), str(vars(good))]:
        assert PASSWORD not in shown and "nope" not in shown


def test_login_without_starttls_or_password_is_refused() -> None:
    with pytest.raises(ValueError, match="STARTTLS"):
        SmtpMail("h", 25, "s@x", ["a@x"], username="u", password="p")
    with pytest.raises(ValueError, match="password"):
        SmtpMail("h", 25, "s@x", ["a@x"], starttls=True, username="u")
    with pytest.raises(ValueError, match="recipient"):
        SmtpMail("h", 25, "s@x", [])
