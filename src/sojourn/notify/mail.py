"""E-mail over SMTP (optionally STARTTLS and login); the password never appears in logs or repr."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from sojourn.notify.message import Message


class SmtpMail:
    name = "email"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipients: tuple[str, ...],
        *,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.sender, self.recipients = host, port, sender, recipients
        self.starttls, self.username, self._password, self.timeout = starttls, username, password, timeout

    def __repr__(self) -> str:
        return f"SmtpMail({self.host}:{self.port}, from={self.sender}, to={list(self.recipients)})"

    def send(self, message: Message) -> None:
        mail = EmailMessage()
        r = message.request
        mail["Subject"] = f"[Sojourn] {message.kind}: {r.person} {r.permission_set}"
        mail["From"] = self.sender
        mail["To"] = ", ".join(self.recipients)
        lines = [
            message.text(),
            "",
            f"request: {r.id}",
            f"reason: {r.reason or '-'}",
            f"state: {r.state.value}",
        ]
        mail.set_content("\n".join(lines) + "\n")
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username and self._password:
                smtp.login(self.username, self._password)
            smtp.send_message(mail)
