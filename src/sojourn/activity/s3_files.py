"""CloudTrail log files in the trail's S3 bucket: listed through the S3 API, each batch fetched to a private
temporary directory and aggregated there by DuckDB (whose own S3 reader needs an extension download)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sojourn.activity.duckdb_aggregator import DuckDbAggregator
from sojourn.catalog.catalog import ActionCatalog
from sojourn.usage.rules import EventRules
from sojourn.usage.trail_keys import FileAggregate, TrailFile, TrailUnreadable, is_trail_file, trail_prefix


class S3Trail:
    """The TrailSource port over `s3://bucket/prefix`; keys are the objects' keys."""

    def __init__(
        self,
        client: Any,
        bucket: str,
        prefix: str,
        rules: EventRules,
        *,
        threads: int | None = None,
        catalog: ActionCatalog | None = None,
    ) -> None:
        self._client = client
        self._bucket = bucket
        self._prefix = prefix
        self._workdir = Path(tempfile.mkdtemp(prefix="sojourn-trail-"))
        self._aggregator = DuckDbAggregator(self._workdir, rules, threads=threads, catalog=catalog)

    def files(self) -> list[TrailFile]:
        found = []
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=self._prefix
        )
        try:
            for page in pages:
                for item in page.get("Contents", ()):
                    key = item["Key"]
                    if is_trail_file(key):
                        found.append(TrailFile(key, trail_prefix(key), int(item.get("Size", 0))))
        except (ClientError, BotoCoreError) as error:
            raise TrailUnreadable(f"listing s3://{self._bucket}/{self._prefix}: {error}") from error
        return sorted(found, key=lambda f: f.key)

    def aggregate(self, files: Sequence[TrailFile]) -> FileAggregate:
        try:
            for file in files:
                target = self._workdir / file.key
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    self._client.download_file(self._bucket, file.key, str(target))
                except (ClientError, BotoCoreError) as error:
                    raise TrailUnreadable(f"fetching s3://{self._bucket}/{file.key}: {error}") from error
            return self._aggregator.aggregate(files)
        finally:
            for child in self._workdir.iterdir():
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)

    def close(self) -> None:
        self._aggregator.close()
        shutil.rmtree(self._workdir, ignore_errors=True)
