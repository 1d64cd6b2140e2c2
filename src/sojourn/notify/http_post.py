"""POST a body to a hook; a failure raises DeliveryError whose text never holds the URL (a Slack-compatible
hook URL is itself a credential) and says whether a retry can help."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

RETRYABLE_STATUS = frozenset({408, 425, 429})
MAX_BODY_IN_ERROR = 200


class DeliveryError(Exception):
    """A channel could not deliver; `permanent` when retrying cannot help (e.g. HTTP 404, 400)."""

    def __init__(self, text: str, *, permanent: bool = False) -> None:
        super().__init__(text)
        self.permanent = permanent


def redact(text: str, url: str) -> str:
    """`text` with the URL and its path replaced, so an error message can be logged."""
    path = urlsplit(url).path
    text = text.replace(url, "<url>")
    return text.replace(path, "/<path>") if len(path) > 1 else text


def safe_location(url: str) -> str:
    """Scheme and host only, for a repr."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}"


def post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> None:
    """POST once; 2xx is success, anything else raises DeliveryError."""
    try:
        response = httpx.post(url, content=body, headers=dict(headers), timeout=timeout)
    except Exception as failure:  # httpx's own messages may name the URL: redact, drop the chain
        raise DeliveryError(redact(f"{type(failure).__name__}: {failure}", url)) from None
    if response.is_success:
        return
    status = response.status_code
    excerpt = " ".join(response.text[:MAX_BODY_IN_ERROR].split())
    permanent = 300 <= status < 500 and status not in RETRYABLE_STATUS
    text = f"HTTP {status}" + (f": {excerpt}" if excerpt else "")
    raise DeliveryError(redact(text, url), permanent=permanent)
