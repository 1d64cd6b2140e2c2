"""The Slack-compatible payload, posted to a real HTTP server."""

from __future__ import annotations

import json

from sojourn.notify.slack import BREAK_GLASS_WARNING, SlackWebhook, slack_payload
from tests.notify.receivers import Receiver
from tests.notify.samples import sample


def _fields(payload: dict[str, object]) -> dict[str, str]:
    blocks = payload["blocks"]
    assert isinstance(blocks, list)
    section = next(b for b in blocks if "fields" in b)
    return dict(f["text"].split("\n", 1) for f in section["fields"])


def test_the_hook_receives_text_and_blocks(receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    SlackWebhook(url).send(sample("granted"))
    headers, body = state.bodies[0]
    payload = json.loads(body)
    assert headers["content-type"] == "application/json"
    assert payload["text"] == "alice now holds prod-admin on 111111111111 until 2026-11-24 10:00 UTC"
    assert [b["type"] for b in payload["blocks"]] == ["section", "section", "context"]
    assert _fields(payload) == {
        "*Person*": "alice",
        "*Permission set*": "prod-admin",
        "*Accounts*": "111111111111",
        "*Ends at*": "2026-11-24 10:00 UTC",
        "*Reason*": "INC-4711 failover",
        "*By*": "erin",
    }
    assert "`r1`" in payload["blocks"][-1]["elements"][0]["text"]


def test_break_glass_carries_a_clear_warning() -> None:
    payload = slack_payload(sample("break_glass"))
    assert isinstance(payload["text"], str) and payload["text"].startswith(":rotating_light: BREAK-GLASS")
    texts = [b["text"]["text"] for b in payload["blocks"] if "text" in b]
    assert BREAK_GLASS_WARNING in texts
    assert BREAK_GLASS_WARNING not in json.dumps(slack_payload(sample("granted")))


def test_values_cannot_ping_a_channel_or_forge_a_link() -> None:
    payload = slack_payload(sample("request", reason="<!channel> see <http://evil|docs> & more"))
    assert _fields(payload)["*Reason*"] == "&lt;!channel&gt; see &lt;http://evil|docs&gt; &amp; more"
    assert "<!channel>" not in json.dumps(payload)


def test_the_hook_url_is_a_secret_kept_out_of_repr() -> None:
    hook = SlackWebhook("https://hooks.slack.com/services/T0/B0/xoxsecret")
    assert "xoxsecret" not in repr(hook) and "hooks.slack.com" in repr(hook)
