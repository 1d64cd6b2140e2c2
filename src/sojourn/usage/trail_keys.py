"""CloudTrail log file keys: AWSLogs/[<org>/]<account>/CloudTrail/<region>/yyyy/mm/dd/<file>.json.gz."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sojourn.usage.lines import EventGroup, UsageBatch

_LAYOUT = re.compile(r"^(?P<prefix>(?:.*/)?AWSLogs/(?:o-[a-z0-9]+/)?\d{12}/CloudTrail/[a-z0-9-]+/)")
_FILE_NAME = re.compile(r"^(?P<account>\d{12})_CloudTrail_(?P<region>[a-z0-9-]+)_")


@dataclass(frozen=True, slots=True)
class TrailFile:
    """One log file: its key (path under the trail's root), the account/region prefix it belongs to."""

    key: str
    prefix: str
    size: int = 0


def trail_prefix(key: str) -> str:
    """The account/region prefix that a watermark is kept for. Files outside the usual layout fall back on
    the account and region in CloudTrail's file name, else on their folder."""
    layout = _LAYOUT.match(key)
    if layout:
        return layout.group("prefix")
    folder, _, name = key.rpartition("/")
    named = _FILE_NAME.match(name)
    if named:
        return f"{named.group('account')}/CloudTrail/{named.group('region')}/"
    return f"{folder}/" if folder else ""


def is_trail_file(key: str) -> bool:
    """CloudTrail writes .json.gz; plain .json files (samples, exports) are read as well. Digest files
    (CloudTrail-Digest) are signatures, not records."""
    return key.endswith((".json.gz", ".json")) and "/CloudTrail-Digest/" not in f"/{key}"


@dataclass(frozen=True, slots=True)
class RejectedFile:
    key: str
    reason: str


@dataclass(frozen=True, slots=True)
class FileAggregate:
    groups: tuple[EventGroup, ...]
    rejected: tuple[RejectedFile, ...] = ()
    usage: UsageBatch | None = None
    """Set when the engine mapped the groups to usage itself (DuckDB); else the service maps `groups`."""


@dataclass(frozen=True, slots=True)
class Watermark:
    """How far the ingest got under one account/region prefix."""

    prefix: str
    files: int
    last_key: str
    last_ingested_at: datetime


class TrailUnreadable(Exception):
    """The trail's files cannot be listed or fetched (no such bucket, no permission, no connection)."""
