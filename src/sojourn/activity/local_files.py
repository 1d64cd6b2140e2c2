"""CloudTrail log files in a local directory (a copy of the trail bucket, or a mounted one)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sojourn.activity.duckdb_aggregator import DuckDbAggregator
from sojourn.catalog.catalog import ActionCatalog
from sojourn.usage.rules import EventRules
from sojourn.usage.trail_keys import FileAggregate, TrailFile, is_trail_file, trail_prefix


def find_trail_files(root: Path) -> list[TrailFile]:
    """Every log file under `root`, keyed by its path relative to `root`, in key order."""
    files = []
    for path in root.rglob("*"):
        key = path.relative_to(root).as_posix()
        if path.is_file() and is_trail_file(key):
            files.append(TrailFile(key, trail_prefix(key), path.stat().st_size))
    return sorted(files, key=lambda f: f.key)


class LocalTrail:
    """The TrailSource port over a local directory, aggregated by DuckDB."""

    def __init__(
        self,
        root: Path,
        rules: EventRules,
        *,
        threads: int | None = None,
        catalog: ActionCatalog | None = None,
    ) -> None:
        if not root.is_dir():
            raise NotADirectoryError(f"{root} is not a directory of CloudTrail log files")
        self._root = root
        self._aggregator = DuckDbAggregator(root, rules, threads=threads, catalog=catalog)

    def files(self) -> list[TrailFile]:
        return find_trail_files(self._root)

    def aggregate(self, files: Sequence[TrailFile]) -> FileAggregate:
        return self._aggregator.aggregate(files)

    def close(self) -> None:
        self._aggregator.close()
