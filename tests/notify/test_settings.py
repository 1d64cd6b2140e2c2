"""Channels from a plain mapping; secrets only from the environment variables it names."""

from __future__ import annotations

import pytest

from sojourn.notify.email import SmtpMail
from sojourn.notify.settings import NotifySettingsError, channels_from_settings
from sojourn.notify.slack import SlackWebhook
from sojourn.notify.webhook import SignedWebhook

ENV = {
    "HOOK_SECRET": "s3cret",
    "SLACK_URL": "https://hooks.slack.com/services/T/B/xoxsecret",
    "SMTP_PW": "pw",
}


def test_every_channel_is_built_with_its_secret_from_the_environment() -> None:
    channels = channels_from_settings(
        {
            "webhooks": [
                {"url": "https://a.example.com/in", "secret_env": "HOOK_SECRET"},
                {
                    "url": "https://b.example.com/in",
                    "secret_env": "HOOK_SECRET",
                    "timeout": 2,
                    "name": "siem",
                },
            ],
            "slack": [{"url_env": "SLACK_URL"}],
            "email": {
                "host": "smtp.example.com",
                "port": 587,
                "from": "sojourn@example.com",
                "to": ["sec@example.com"],
                "starttls": True,
                "username": "sojourn",
                "password_env": "SMTP_PW",
            },
        },
        ENV,
    )
    assert [c.name for c in channels] == ["webhook#1", "siem", "slack", "email"]
    first, second, slack, mail = channels
    assert isinstance(first, SignedWebhook) and isinstance(second, SignedWebhook) and second.timeout == 2
    assert isinstance(slack, SlackWebhook) and "xoxsecret" not in repr(slack)
    assert isinstance(mail, SmtpMail) and (mail.sender, mail.port, mail.username) == (
        "sojourn@example.com",
        587,
        "sojourn",
    )
    assert channels_from_settings({}, ENV) == []


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"webhooks": [{"url": "https://a/in", "secret": "inline"}]},
            "notify.webhooks[0]: Value error, secret: secrets are not read from settings",
        ),
        (
            {"email": {"host": "h", "from": "f@x", "to": ["t@x"], "password": "inline"}},
            "notify.email: Value error, password:",
        ),
        (
            {"webhooks": [{"url": "https://a/in", "secret_env": "UNSET"}]},
            "notify.webhooks[0].secret_env: the environment variable UNSET is not set",
        ),
        (
            {"slack": [{"url_env": "UNSET"}]},
            "notify.slack[0].url_env: the environment variable UNSET is not set",
        ),
        ({"slack": [{}]}, "notify.slack[0]: Value error, give exactly one of url and url_env"),
        ({"webhooks": [{"url": "ftp://a", "secret_env": "HOOK_SECRET"}]}, "notify.webhooks[0].url: String"),
        ({"email": {"host": "h", "from": "f@x", "to": []}}, "notify.email.to: List should have at least 1"),
        (
            {
                "email": {
                    "host": "h",
                    "from": "f@x",
                    "to": ["t@x"],
                    "username": "u",
                    "password_env": "SMTP_PW",
                }
            },
            "notify.email: SMTP login needs STARTTLS",
        ),
        ({"pager": []}, "notify.pager: Extra inputs are not permitted"),
    ],
)
def test_wrong_settings_say_where(settings: dict[str, object], message: str) -> None:
    with pytest.raises(NotifySettingsError) as wrong:
        channels_from_settings(settings, ENV)
    assert str(wrong.value).startswith(message)
    assert "inline" not in str(wrong.value)
