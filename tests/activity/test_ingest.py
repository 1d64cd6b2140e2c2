"""`activity ingest` end to end: log files in the trail layout -> DuckDB -> the usage table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sojourn.activity.local_files import LocalTrail
from sojourn.activity.rules_file import load_event_rules
from sojourn.catalog import ActionCatalog, load_catalog
from sojourn.clock import FixedClock
from sojourn.service.activity import IngestProgress, IngestReport, ingest_activity
from sojourn.store import Store, open_store
from sojourn.store.memory_usage import MemoryUsageStore
from sojourn.usage.rules import EventRules
from sojourn.usage.trail_keys import FileAggregate, TrailFile
from tests.activity.trail_layout import lay_out_samples, log_key, write_log
from tests.usage.samples import fixture_records, parseable_records, sample_files

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
ATTACKER_ROLE = "arn:aws:iam::677301038893:role/account-admin"


@pytest.fixture(scope="module")
def catalog() -> ActionCatalog:
    return load_catalog()


@pytest.fixture(scope="module")
def rules() -> EventRules:
    return load_event_rules()


@pytest.fixture
def store(database_url: str) -> Store:
    opened = open_store(database_url)
    yield opened
    opened.close()


def _ingest(
    root: Path, store: Store, catalog: ActionCatalog, rules: EventRules, **kwargs: object
) -> IngestReport:
    trail = LocalTrail(root, rules, catalog=catalog)
    try:
        return ingest_activity(trail, store.usage, catalog, rules, FixedClock(NOW), **kwargs)  # type: ignore[arg-type]
    finally:
        trail.close()


def test_the_real_samples_ingest_end_to_end(
    tmp_path: Path, store: Store, catalog: ActionCatalog, rules: EventRules
) -> None:
    keys = lay_out_samples(tmp_path)
    steps: list[IngestProgress] = []
    report = _ingest(tmp_path, store, catalog, rules, progress=steps.append)
    readable = sum(1 for _ in parseable_records(sample_files()))
    assert report.files_found == len(keys)
    assert [r.key for r in report.rejected] == [k for k in keys if "ec2-user-data" in k]
    assert "Malformed JSON" in report.rejected[0].reason
    assert report.events == readable
    assert report.unmapped == {}
    assert steps[-1].files_done == len(keys) and steps[-1].events == readable
    secrets = [
        line for line in store.usage.lines(principal_like=ATTACKER_ROLE) if "secretsmanager" in line.action
    ]
    assert len(secrets) == 10
    assert {line.session for line in secrets} == {"christophe.tafanidereeper"}
    assert all(
        line.resource.startswith(
            "arn:aws:secretsmanager:us-east-1:677301038893:secret:stratus-red-team-secret-"
        )
        for line in secrets
    )
    described = store.usage.lines(principal_like="role/someRole")
    # the same DescribeLaunchConfigurations call is in two sample files (the log file and the smoke test)
    assert [(line.action, line.resource, line.calls) for line in described] == [
        ("autoscaling:DescribeLaunchConfigurations", "*", 2)
    ]


def test_ingesting_again_changes_nothing(
    tmp_path: Path, store: Store, catalog: ActionCatalog, rules: EventRules
) -> None:
    lay_out_samples(tmp_path)
    _ingest(tmp_path, store, catalog, rules)
    before = store.usage.lines()
    again = _ingest(tmp_path, store, catalog, rules)
    assert again.files_ingested == 0
    assert again.events == 0
    assert store.usage.lines() == before
    marks = {m.prefix.split("/")[2]: m.files for m in store.usage.watermarks()}
    assert marks == {"111111111111": 2, "677301038893": 3}


def test_a_new_file_is_ingested_alone_and_merges_into_the_lines(
    tmp_path: Path, store: Store, catalog: ActionCatalog, rules: EventRules
) -> None:
    records = fixture_records()
    write_log(tmp_path, log_key("111122223333", "eu-west-1", "2026-11-02", "a"), records)
    _ingest(tmp_path, store, catalog, rules)
    later = [dict(r, eventTime="2026-11-20T08:00:00Z") for r in records if r["eventName"] == "GetObject"]
    write_log(tmp_path, log_key("111122223333", "eu-west-1", "2026-11-20", "b"), later)
    report = _ingest(tmp_path, store, catalog, rules)
    assert (report.files_ingested, report.events) == (1, 2)
    (line,) = [
        line for line in store.usage.lines(principal_like="role/orders-app") if line.action == "s3:GetObject"
    ]
    assert line.resource == "arn:aws:s3:::orders-archive/*"
    assert line.calls == 4
    assert line.first_seen == datetime(2026, 11, 2, 9, tzinfo=UTC)
    assert line.last_seen == datetime(2026, 11, 20, 8, tzinfo=UTC)


def test_a_file_without_records_adds_nothing_and_is_not_an_error(
    tmp_path: Path, store: Store, catalog: ActionCatalog, rules: EventRules
) -> None:
    write_log(tmp_path, log_key("111122223333", "eu-west-1", "2026-11-02", "empty"), [])
    report = _ingest(tmp_path, store, catalog, rules)
    assert (report.files_ingested, report.events, report.rejected) == (1, 0, ())
    assert store.usage.lines() == []


class _CrashesOnSecondBatch:
    """A trail that dies while aggregating its second batch, as a killed process would stop mid-ingest."""

    def __init__(self, trail: LocalTrail) -> None:
        self._trail = trail
        self.batches = 0

    def files(self) -> list[TrailFile]:
        return self._trail.files()

    def aggregate(self, files: Sequence[TrailFile]) -> FileAggregate:
        self.batches += 1
        if self.batches == 2:
            raise RuntimeError("killed")
        return self._trail.aggregate(files)

    def close(self) -> None:
        self._trail.close()


def test_an_interrupted_ingest_resumes_and_ends_as_an_uninterrupted_one(
    tmp_path: Path, store: Store, catalog: ActionCatalog, rules: EventRules
) -> None:
    lay_out_samples(tmp_path / "trail")
    crashing = _CrashesOnSecondBatch(LocalTrail(tmp_path / "trail", rules, catalog=catalog))
    with pytest.raises(RuntimeError, match="killed"):
        ingest_activity(crashing, store.usage, catalog, rules, FixedClock(NOW), batch_files=2)
    crashing.close()
    assert len(store.usage.ingested_keys()) == 2
    resumed = _ingest(tmp_path / "trail", store, catalog, rules)
    assert resumed.files_already == 2
    clean = MemoryUsageStore()
    trail = LocalTrail(tmp_path / "trail", rules, catalog=catalog)
    ingest_activity(trail, clean, catalog, rules, FixedClock(NOW))
    trail.close()
    assert store.usage.lines() == clean.lines()
    assert store.usage.ingested_keys() == clean.ingested_keys()
