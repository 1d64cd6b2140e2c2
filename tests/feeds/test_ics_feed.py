"""iCalendar feeds served by a real local HTTP server, fetched and parsed into shifts."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from sojourn.feeds.ics_feed import MAX_BYTES, FeedError, fetch_ics
from sojourn.workflow.ics_shifts import IcsError, parse_ics
from sojourn.workflow.rotations import Shift

DATA = Path(__file__).parent / "data"
PAGERDUTY = r"On Call - (?P<person>.+?) - "


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class FeedHandler(SimpleHTTPRequestHandler):
    """The files under data/, plus a few misbehaving endpoints."""

    def do_GET(self) -> None:
        if self.path == "/slow.ics":
            time.sleep(1.0)
            self._send(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
        elif self.path == "/huge.ics":
            self._send(b"BEGIN:VCALENDAR\r\n" + b"X" * MAX_BYTES, declare_length=False)
        elif self.path == "/huge-declared.ics":
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(MAX_BYTES + 1))
            self.end_headers()
        elif self.path == "/latin1.ics":
            self._send("BEGIN:VCALENDAR\r\nX-WR-CALNAME:Bereitschaft Müller\r\n".encode("latin-1"))
        elif self.path == "/moved.ics":
            self.send_response(302)
            self.send_header("Location", "/opsgenie.ics")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/private.ics" and self.headers.get("Authorization") != "Token secret":
            self.send_error(401)
        elif self.path == "/private.ics":
            self._send((DATA / "opsgenie.ics").read_bytes())
        else:
            super().do_GET()

    def _send(self, body: bytes, *, declare_length: bool = True) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        if declare_length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (timeout, size limit): expected here
            self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@pytest.fixture(scope="module")
def feeds() -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), partial(FeedHandler, directory=str(DATA)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_pagerduty_feed_with_time_zones_across_the_dst_change(feeds: str) -> None:
    shifts = parse_ics(fetch_ics(f"{feeds}/pagerduty.ics"), pattern=PAGERDUTY)
    # 09:00 in New York is 13:00 UTC in summer time (until 1 November) and 14:00 UTC after
    assert shifts == [
        Shift("Bob Builder", utc(2026, 10, 26, 13), utc(2026, 11, 2, 14)),
        Shift("Carol Mary-Jones", utc(2026, 11, 2, 14), utc(2026, 11, 4, 14)),
        Shift("Dave Override", utc(2026, 11, 4, 14), utc(2026, 11, 5, 22)),
        Shift("Carol Mary-Jones", utc(2026, 11, 5, 22), utc(2026, 11, 9, 14)),
    ]


def test_pagerduty_feed_by_attendee(feeds: str) -> None:
    shifts = parse_ics(fetch_ics(f"{feeds}/pagerduty.ics"), person_from="attendee")
    assert [s.person for s in shifts] == [
        "bob@example.com",
        "carol@example.com",
        "dave@example.com",
        "carol@example.com",
    ]


def test_opsgenie_feed_with_utc_times_and_attendees(feeds: str) -> None:
    shifts = parse_ics(fetch_ics(f"{feeds}/opsgenie.ics"), person_from="attendee")
    assert shifts == [
        Shift("erin@example.com", utc(2026, 11, 24, 8), utc(2026, 11, 24, 20)),
        Shift("carol@example.com", utc(2026, 11, 24, 20), utc(2026, 11, 25, 8)),
        Shift("frank@example.com", utc(2026, 11, 25, 8), utc(2026, 11, 25, 20)),
    ]


def test_a_redirect_is_followed(feeds: str) -> None:
    assert fetch_ics(f"{feeds}/moved.ics") == (DATA / "opsgenie.ics").read_bytes().decode()


def test_a_supplied_client_is_used(feeds: str) -> None:
    with pytest.raises(FeedError, match="HTTP 401"):
        fetch_ics(f"{feeds}/private.ics")
    with httpx.Client(headers={"Authorization": "Token secret"}) as client:
        text = fetch_ics(f"{feeds}/private.ics", client=client)
    assert len(parse_ics(text, person_from="attendee")) == 3


def test_a_recurring_feed_is_refused(feeds: str) -> None:
    with pytest.raises(IcsError, match=r"recurring events \(RRULE\) are not supported"):
        parse_ics(fetch_ics(f"{feeds}/recurring.ics"))


def test_a_truncated_feed_is_refused(feeds: str) -> None:
    with pytest.raises(IcsError, match="not an iCalendar document"):
        parse_ics(fetch_ics(f"{feeds}/broken.ics"))


def test_a_missing_feed_names_the_status(feeds: str) -> None:
    with pytest.raises(FeedError, match=r"missing\.ics answered HTTP 404"):
        fetch_ics(f"{feeds}/missing.ics")


def test_a_page_that_is_not_a_calendar_is_refused(feeds: str) -> None:
    with pytest.raises(FeedError, match="not an iCalendar feed"):
        fetch_ics(f"{feeds}/login.html")
    with pytest.raises(FeedError, match="not an iCalendar feed"):
        fetch_ics(f"{feeds}/")


def test_a_feed_that_is_not_utf8_is_refused(feeds: str) -> None:
    with pytest.raises(FeedError, match="not UTF-8"):
        fetch_ics(f"{feeds}/latin1.ics")


def test_a_feed_over_the_size_limit_is_refused(feeds: str) -> None:
    with pytest.raises(FeedError, match="larger than 5 MB"):
        fetch_ics(f"{feeds}/huge-declared.ics")
    with pytest.raises(FeedError, match="larger than 5 MB"):
        fetch_ics(f"{feeds}/huge.ics")


def test_a_slow_feed_times_out(feeds: str) -> None:
    with pytest.raises(FeedError, match=r"did not answer within 0\.2 s"):
        fetch_ics(f"{feeds}/slow.ics", timeout=0.2)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a.ics", "example.com/a.ics"])
def test_only_http_urls_are_fetched(url: str) -> None:
    with pytest.raises(FeedError, match=r"not an http\(s\) URL"):
        fetch_ics(url)


def test_an_unreachable_host_is_reported() -> None:
    with pytest.raises(FeedError, match="could not be read"):
        fetch_ics("http://127.0.0.1:9/none.ics", timeout=2)
