"""iCalendar feeds served by a real local HTTP server, fetched and parsed into shifts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from sojourn.feeds.ics_feed import FeedError, fetch_ics
from sojourn.workflow.ics_shifts import IcsError, parse_ics
from sojourn.workflow.rotations import Shift

DATA = Path(__file__).parent / "data"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def feeds() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(DATA)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_pagerduty_feed_with_time_zones(feeds: str) -> None:
    shifts = parse_ics(fetch_ics(f"{feeds}/pagerduty.ics"), pattern=r"On Call - (?P<person>[^-]+) -")
    assert shifts == [
        Shift("bob", datetime(2026, 11, 23, 14, 0, tzinfo=UTC), datetime(2026, 11, 30, 14, 0, tzinfo=UTC)),
        Shift("carol", datetime(2026, 11, 30, 14, 0, tzinfo=UTC), datetime(2026, 12, 7, 14, 0, tzinfo=UTC)),
    ]


def test_opsgenie_feed_with_attendees(feeds: str) -> None:
    shifts = parse_ics(fetch_ics(f"{feeds}/opsgenie.ics"), person_from="attendee")
    assert [(s.person, s.start.hour, s.end.hour) for s in shifts] == [
        ("erin@example.com", 8, 20),
        ("carol@example.com", 20, 8),
    ]


def test_recurring_and_broken_feeds_are_refused(feeds: str) -> None:
    with pytest.raises(IcsError, match="RRULE"):
        parse_ics(fetch_ics(f"{feeds}/recurring.ics"))
    with pytest.raises(IcsError):
        parse_ics(fetch_ics(f"{feeds}/broken.ics"))
    with pytest.raises(FeedError, match="404"):
        fetch_ics(f"{feeds}/missing.ics")
    with pytest.raises(FeedError, match="not an iCalendar"):
        fetch_ics(f"{feeds}/")
    with pytest.raises(FeedError, match="http"):
        fetch_ics("file:///etc/passwd")
