"""Ingest CloudTrail activity: new log files -> event groups -> usage lines, file batch by file batch."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from sojourn.catalog.catalog import ActionCatalog
from sojourn.clock import Clock
from sojourn.service.ports.activity import RejectedFile, TrailSource, UsageRepository
from sojourn.usage.lines import usage_lines
from sojourn.usage.rules import EventRules
from sojourn.usage.trail_keys import TrailFile

BATCH_FILES = 512
BATCH_BYTES = 64 << 20
"""A batch is aggregated in one query and committed in one transaction."""


@dataclass(frozen=True, slots=True)
class IngestProgress:
    files_done: int
    files_total: int
    events: int


@dataclass(frozen=True, slots=True)
class IngestReport:
    files_found: int
    files_already: int
    """Found but ingested before: skipped, which is what makes a re-run change nothing."""
    files_ingested: int
    rejected: tuple[RejectedFile, ...]
    events: int
    used: int
    permissionless: int
    not_calls: int
    by_services: int
    lines: int
    """Usage lines written or merged."""
    seconds: float
    unmapped: Mapping[tuple[str, str], int] = field(default_factory=dict)

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def ingest_activity(
    source: TrailSource,
    usage: UsageRepository,
    catalog: ActionCatalog,
    rules: EventRules,
    clock: Clock,
    *,
    progress: Callable[[IngestProgress], None] | None = None,
    batch_files: int = BATCH_FILES,
) -> IngestReport:
    """Ingest every log file of `source` not ingested yet; each batch commits its usage and its file keys
    together, so an interrupted ingest resumes where it stopped and a repeated one adds nothing."""
    started = time.perf_counter()
    found = source.files()
    done = usage.ingested_keys()
    pending = [f for f in found if f.key not in done]
    counts: Counter[str] = Counter()
    unmapped: Counter[tuple[str, str]] = Counter()
    rejected: list[RejectedFile] = []
    finished = 0
    for batch in _batches(pending, batch_files):
        aggregate = source.aggregate(batch)
        refused = {r.key for r in aggregate.rejected}
        accepted = [f for f in batch if f.key not in refused]
        result = aggregate.usage
        if result is None:
            result = usage_lines(aggregate.groups, catalog, rules)
        usage.add(result.lines, accepted, clock.now())
        rejected.extend(aggregate.rejected)
        counts.update(
            events=result.events,
            used=result.used,
            permissionless=result.permissionless,
            not_calls=result.not_calls,
            by_services=result.by_services,
            lines=len(result.lines),
            ingested=len(accepted),
        )
        unmapped.update(result.unmapped)
        finished += len(batch)
        if progress is not None:
            progress(IngestProgress(finished, len(pending), counts["events"]))
    return IngestReport(
        files_found=len(found),
        files_already=len(found) - len(pending),
        files_ingested=counts["ingested"],
        rejected=tuple(rejected),
        events=counts["events"],
        used=counts["used"],
        permissionless=counts["permissionless"],
        not_calls=counts["not_calls"],
        by_services=counts["by_services"],
        lines=counts["lines"],
        seconds=time.perf_counter() - started,
        unmapped=dict(unmapped),
    )


def _batches(files: Sequence[TrailFile], most: int) -> Iterator[list[TrailFile]]:
    batch: list[TrailFile] = []
    size = 0
    for file in files:
        if batch and (len(batch) >= most or size + file.size > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(file)
        size += file.size
    if batch:
        yield batch
