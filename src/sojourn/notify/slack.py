"""Slack-compatible incoming webhooks (also accepted by Mattermost and Rocket.Chat)."""

from __future__ import annotations

from typing import Any

import httpx

from sojourn.notify.message import Message


def slack_payload(message: Message) -> dict[str, Any]:
    r = message.request
    fields = [
        {"type": "mrkdwn", "text": f"*Person*\n{r.person}"},
        {"type": "mrkdwn", "text": f"*Permission set*\n{r.permission_set}"},
        {"type": "mrkdwn", "text": f"*Accounts*\n{', '.join(r.accounts)}"},
        {"type": "mrkdwn", "text": f"*Reason*\n{r.reason or '-'}"},
    ]
    text = message.text()
    if message.kind == "break_glass":
        text = ":rotating_light: " + text
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "section", "fields": fields},
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"request `{r.id}` · {message.kind}"}],
            },
        ],
    }


class SlackWebhook:
    name = "slack"

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.url, self.timeout = url, timeout

    def send(self, message: Message) -> None:
        httpx.post(self.url, json=slack_payload(message), timeout=self.timeout).raise_for_status()
