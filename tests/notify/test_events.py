"""The channel-independent notification: one-line text for every kind, and the JSON document."""

from __future__ import annotations

import json

import pytest

from sojourn.notify.events import Notification, NotificationKind, render_text, to_json
from tests.notify.samples import T0, sample


@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_kind_has_a_one_line_summary_naming_who_and_what(kind: NotificationKind) -> None:
    text = render_text(sample(kind, reason="multi\nline"))
    assert "\n" not in text and "alice" in text and "prod-admin" in text
    assert not text.startswith(kind.value)  # a written sentence, not the generic fallback


def test_summaries_say_who_acted_until_when_and_what_failed() -> None:
    assert render_text(sample("approved")) == (
        "alice's request for prod-admin on 111111111111 was approved by erin"
    )
    assert render_text(sample("granted", actor=None)).endswith("until 2026-11-24 10:00 UTC")
    assert render_text(sample("break_glass")).startswith("BREAK-GLASS: alice took prod-admin")
    assert render_text(sample("failure", detail={"error": "AccessDenied"})).endswith(": AccessDenied")
    assert render_text(sample("revoked", actor=None)) == "alice's prod-admin on 111111111111 was revoked"


def test_an_unknown_kind_still_reads_and_many_accounts_are_shortened() -> None:
    accounts = tuple(f"{i:012d}" for i in range(8))
    text = render_text(sample("rotated", accounts=accounts))
    assert text.startswith("rotated: alice prod-admin on ") and text.endswith("and 3 more")


def test_json_document_carries_the_event_and_the_request() -> None:
    n = sample("break_glass", detail={"ticket": "INC-4711"}, to=("security",))
    document = to_json(n)
    assert json.loads(json.dumps(document)) == document
    assert document["event"] == "break_glass" and document["version"] == 1
    assert document["to"] == ["security"] and document["actor"] == "erin"
    assert document["at"] == T0.isoformat() and document["detail"] == {"ticket": "INC-4711"}
    assert document["request"] == {
        "id": "r1",
        "person": "alice",
        "permission_set": "prod-admin",
        "accounts": ["111111111111"],
        "account_names": {},
        "reason": "INC-4711 failover",
        "ends_at": "2026-11-24T10:00:00+00:00",
    }


def test_kinds_are_plain_strings_and_notifications_are_frozen() -> None:
    assert NotificationKind.BREAK_GLASS == "break_glass"
    n: Notification = sample()
    with pytest.raises(AttributeError):
        n.person = "mallory"  # type: ignore[misc]


def test_texts_and_the_document_name_accounts_beside_their_ids() -> None:
    names = {"111111111111": "team-a-prod", "999999999999": "elsewhere"}
    n = sample("granted", account_names=names)
    assert "alice now holds prod-admin on team-a-prod (111111111111)" in render_text(n)
    assert to_json(n)["request"]["account_names"] == {"111111111111": "team-a-prod"}  # its accounts only
    many = sample(
        "request", accounts=tuple(f"{i:012d}" for i in range(7)), account_names={f"{0:012d}": "zero"}
    )
    assert render_text(many).startswith("alice requests prod-admin on zero (000000000000), 000000000001")
    assert "and 2 more" in render_text(many)
