"""E-mail over SMTP, optionally STARTTLS and login; the password stays out of repr, logs and error text."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage

from pydantic import SecretStr

from sojourn.notify.events import Notification, NotificationKind, render_text

BREAK_GLASS_WARNING = "WARNING: break-glass access was taken without approval. Review it now."


def _one_line(text: str) -> str:
    return " ".join(text.split())


def subject(n: Notification) -> str:
    return _one_line(f"[Sojourn] {n.kind}: {n.person} {n.permission_set}")


def body(n: Notification) -> str:
    """Plain text: the summary, then one fact per line."""
    lines = [render_text(n), ""]
    if n.kind == NotificationKind.BREAK_GLASS:
        lines[1:1] = ["", BREAK_GLASS_WARNING]
    facts = {
        "Person": n.person,
        "Permission set": n.permission_set,
        "Accounts": ", ".join(n.accounts) or "-",
        "Ends at": n.ends_at.isoformat() if n.ends_at else "-",
        "Reason": n.reason or "-",
        "By": n.actor or "-",
        "Request": n.request_id,
        "At": n.at.isoformat(),
        **{key: value for key, value in sorted(n.detail.items())},
    }
    lines += [f"{label + ':':<16}{_one_line(value)}" for label, value in facts.items()]
    return "\n".join(lines) + "\n"


def compose(n: Notification, sender: str, recipients: Sequence[str]) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = subject(n)
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail.set_content(body(n))
    return mail


class SmtpMail:
    """Sends each notification to a fixed list of addresses through one SMTP server."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipients: Sequence[str],
        *,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
        tls_context: ssl.SSLContext | None = None,
        name: str = "email",
    ) -> None:
        if not recipients:
            raise ValueError("an e-mail channel needs at least one recipient")
        if username and not password:
            raise ValueError("an SMTP username needs a password")
        if username and not starttls:
            raise ValueError("SMTP login needs STARTTLS: the password would cross the network in clear")
        self.host, self.port, self.sender, self.recipients = host, port, sender, tuple(recipients)
        self.starttls, self.username, self.timeout, self.name = starttls, username, timeout, name
        self._password = SecretStr(password or "")
        self._tls_context = tls_context

    def __repr__(self) -> str:
        login = f", login={self.username!r}, password=***" if self.username else ""
        return (
            f"SmtpMail({self.name!r}, {self.host}:{self.port}, starttls={self.starttls}, "
            f"from={self.sender!r}, to={list(self.recipients)}{login})"
        )

    def send(self, n: Notification) -> None:
        mail = compose(n, self.sender, self.recipients)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=self._tls_context or ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self._password.get_secret_value())
            smtp.send_message(mail, self.sender, list(self.recipients))
