"""Fetch an iCalendar feed over HTTP(S): size-limited, with clear errors."""

from __future__ import annotations

import httpx

MAX_BYTES = 5 * 1024 * 1024


class FeedError(Exception):
    """The feed could not be fetched, with what to check."""


def fetch_ics(url: str, *, timeout: float = 10.0) -> str:
    if not url.startswith(("https://", "http://")):
        raise FeedError(f"{url!r} is not an http(s) URL")
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
            response.raise_for_status()
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise FeedError(f"the feed at {url} is larger than {MAX_BYTES // 1024 // 1024} MB")
                chunks.append(chunk)
    except httpx.HTTPStatusError as error:
        raise FeedError(f"the feed at {url} answered HTTP {error.response.status_code}") from None
    except httpx.HTTPError as error:
        raise FeedError(f"the feed at {url} could not be read: {error}") from None
    text = b"".join(chunks).decode("utf-8", errors="replace")
    if "BEGIN:VCALENDAR" not in text[:2000]:
        raise FeedError(f"the document at {url} is not an iCalendar feed (no BEGIN:VCALENDAR)")
    return text
