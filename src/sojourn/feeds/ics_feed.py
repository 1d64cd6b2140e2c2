"""Fetch an iCalendar feed over HTTP(S): size-limited, with clear errors."""

from __future__ import annotations

import httpx

MAX_BYTES = 5 * 1024 * 1024


class FeedError(Exception):
    """The feed could not be fetched, with what to check."""


def _read(client: httpx.Client, url: str, timeout: float) -> bytes:
    with client.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
        response.raise_for_status()
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BYTES:
            raise FeedError(f"the feed at {url} is larger than {MAX_BYTES // 1024 // 1024} MB")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_BYTES:
                raise FeedError(f"the feed at {url} is larger than {MAX_BYTES // 1024 // 1024} MB")
            chunks.append(chunk)
    return b"".join(chunks)


def fetch_ics(url: str, *, client: httpx.Client | None = None, timeout: float = 10.0) -> str:
    """The text of the iCalendar document at an http(s) URL; `client` lets callers supply a transport."""
    if not url.startswith(("https://", "http://")):
        raise FeedError(f"{url!r} is not an http(s) URL")
    try:
        if client is not None:
            body = _read(client, url, timeout)
        else:
            with httpx.Client() as own:
                body = _read(own, url, timeout)
    except httpx.HTTPStatusError as error:
        raise FeedError(f"the feed at {url} answered HTTP {error.response.status_code}") from None
    except httpx.TimeoutException:
        raise FeedError(f"the feed at {url} did not answer within {timeout:g} s") from None
    except httpx.HTTPError as error:
        raise FeedError(f"the feed at {url} could not be read: {error}") from None
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FeedError(f"the feed at {url} is not UTF-8 text (byte {error.start})") from None
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise FeedError(f"the document at {url} is not an iCalendar feed (no BEGIN:VCALENDAR at its start)")
    return text
