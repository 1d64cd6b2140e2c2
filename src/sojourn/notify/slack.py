"""Slack-compatible incoming webhooks (Mattermost and Rocket.Chat accept the same `text` + `blocks`)."""

from __future__ import annotations

import json

from pydantic import SecretStr

from sojourn.notify.events import Notification, NotificationKind, render_text
from sojourn.notify.http_post import post, safe_location

BREAK_GLASS_WARNING = (
    ":rotating_light: *Break-glass access was taken without approval.* "
    "Review it now and revoke it if it is not justified."
)


def escape(text: str) -> str:
    """Slack's mrkdwn escaping, so a reason such as "<!channel>" cannot ping anyone or forge a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _field(label: str, value: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": f"*{label}*\n{escape(value)}"}


def slack_payload(n: Notification) -> dict[str, object]:
    """`text` (the fallback shown in notifications) and `blocks`: headline, facts, warning, context."""
    text = escape(render_text(n))
    if n.kind == NotificationKind.BREAK_GLASS:
        text = ":rotating_light: " + text
    fields = [
        _field("Person", n.person),
        _field("Permission set", n.permission_set),
        _field("Accounts", ", ".join(n.accounts) or "-"),
        _field("Ends at", n.ends_at.strftime("%Y-%m-%d %H:%M %Z") if n.ends_at else "-"),
        _field("Reason", n.reason or "-"),
    ]
    if n.actor:
        fields.append(_field("By", n.actor))
    blocks: list[dict[str, object]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "section", "fields": fields},
    ]
    if n.kind == NotificationKind.BREAK_GLASS:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": BREAK_GLASS_WARNING}})
    context = f"request `{escape(n.request_id)}` · {escape(n.kind)} · {n.at.isoformat()}"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    return {"text": text, "blocks": blocks}


class SlackWebhook:
    """POSTs the Slack payload; the hook URL is treated as a secret (kept out of repr and error text)."""

    def __init__(self, url: str, timeout: float = 5.0, *, name: str = "slack") -> None:
        self._url, self.timeout, self.name = SecretStr(url), timeout, name

    def __repr__(self) -> str:
        return f"SlackWebhook({self.name!r}, {safe_location(self._url.get_secret_value())}/***)"

    def send(self, n: Notification) -> None:
        body = json.dumps(slack_payload(n)).encode()
        headers = {"Content-Type": "application/json"}
        post(self._url.get_secret_value(), body, headers, self.timeout)
