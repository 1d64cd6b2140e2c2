"""Build channels from a plain mapping; secrets come from environment variables the mapping names, never from
the mapping itself (a `secret` or `password` key is refused)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sojourn.notify.dispatcher import Channel
from sojourn.notify.email import SmtpMail
from sojourn.notify.slack import SlackWebhook
from sojourn.notify.webhook import SignedWebhook

SECRET_KEYS = frozenset({"secret", "password", "token"})


class NotifySettingsError(ValueError):
    """A setting is wrong; the message starts with where, e.g. "notify.webhooks[0].secret_env: ..."."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_inline_secrets(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and (found := SECRET_KEYS & set(data)):
            key = sorted(found)[0]
            raise ValueError(
                f"{key}: secrets are not read from settings; name an environment variable in {key}_env"
            )
        return data


class WebhookSettings(_Strict):
    url: str = Field(pattern=r"^https?://")
    secret_env: str
    timeout: float = Field(default=5.0, gt=0)
    name: str | None = None


class SlackSettings(_Strict):
    url: str | None = Field(default=None, pattern=r"^https?://")
    url_env: str | None = None
    """The hook URL is a credential: prefer naming the variable that holds it."""
    timeout: float = Field(default=5.0, gt=0)
    name: str | None = None

    @model_validator(mode="after")
    def _one_url(self) -> SlackSettings:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("give exactly one of url and url_env")
        return self


class EmailSettings(_Strict):
    model_config = ConfigDict(populate_by_name=True)

    host: str
    port: int = Field(default=25, gt=0, lt=65536)
    sender: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    starttls: bool = False
    username: str | None = None
    password_env: str | None = None
    timeout: float = Field(default=10.0, gt=0)
    name: str | None = None


class NotifySettings(_Strict):
    webhooks: list[WebhookSettings] = []
    slack: list[SlackSettings] = []
    email: EmailSettings | None = None


def _location(loc: tuple[int | str, ...]) -> str:
    text = "notify"
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _from_env(env: Mapping[str, str], variable: str, where: str) -> str:
    value = env.get(variable, "")
    if not value:
        raise NotifySettingsError(f"{where}: the environment variable {variable} is not set")
    return value


def _named(default: str, given: str | None, index: int, count: int) -> str:
    return given or (default if count == 1 else f"{default}#{index + 1}")


def channels_from_settings(settings: Mapping[str, Any], env: Mapping[str, str]) -> list[Channel]:
    """The channels `settings` describe; NotifySettingsError if a setting or a named variable is missing."""
    try:
        parsed = NotifySettings.model_validate(dict(settings))
    except ValidationError as invalid:
        problems = [f"{_location(e['loc'])}: {e['msg']}" for e in invalid.errors()]
        raise NotifySettingsError("; ".join(problems)) from None
    channels: list[Channel] = []
    for i, hook in enumerate(parsed.webhooks):
        secret = _from_env(env, hook.secret_env, f"notify.webhooks[{i}].secret_env")
        name = _named("webhook", hook.name, i, len(parsed.webhooks))
        channels.append(SignedWebhook(hook.url, secret.encode(), hook.timeout, name=name))
    for i, slack in enumerate(parsed.slack):
        url = slack.url or _from_env(env, slack.url_env or "", f"notify.slack[{i}].url_env")
        channels.append(
            SlackWebhook(url, slack.timeout, name=_named("slack", slack.name, i, len(parsed.slack)))
        )
    if (mail := parsed.email) is not None:
        password = (
            _from_env(env, mail.password_env, "notify.email.password_env") if mail.password_env else None
        )
        try:
            channels.append(
                SmtpMail(
                    mail.host,
                    mail.port,
                    mail.sender,
                    mail.to,
                    starttls=mail.starttls,
                    username=mail.username,
                    password=password,
                    timeout=mail.timeout,
                    name=mail.name or "email",
                )
            )
        except ValueError as wrong:
            raise NotifySettingsError(f"notify.email: {wrong}") from None
    return channels


def channels_from_environment(env: Mapping[str, str]) -> list[Channel]:
    """The channels SOJOURN_* variables describe (docs/notifications.md lists them)."""
    settings: dict[str, Any] = {}
    if env.get("SOJOURN_WEBHOOK_URL"):
        settings["webhooks"] = [{"url": env["SOJOURN_WEBHOOK_URL"], "secret_env": "SOJOURN_WEBHOOK_SECRET"}]
    if env.get("SOJOURN_SLACK_WEBHOOK_URL"):
        settings["slack"] = [{"url_env": "SOJOURN_SLACK_WEBHOOK_URL"}]
    if env.get("SOJOURN_SMTP_HOST"):
        mail: dict[str, Any] = {
            "host": env["SOJOURN_SMTP_HOST"],
            "port": env.get("SOJOURN_SMTP_PORT", "25"),
            "from": env.get("SOJOURN_SMTP_FROM", "sojourn@localhost"),
            "to": [a.strip() for a in env.get("SOJOURN_SMTP_TO", "").split(",") if a.strip()],
            "starttls": env.get("SOJOURN_SMTP_STARTTLS", "") == "1",
        }
        if env.get("SOJOURN_SMTP_USERNAME"):
            mail |= {"username": env["SOJOURN_SMTP_USERNAME"], "password_env": "SOJOURN_SMTP_PASSWORD"}
        settings["email"] = mail
    return channels_from_settings(settings, env)
