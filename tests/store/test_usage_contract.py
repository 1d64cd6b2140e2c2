"""One contract for the usage repository: the SQL store (SQLite, PostgreSQL) and its in-memory twin."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sojourn.service.ports.activity import UsageRepository
from sojourn.store import open_store
from sojourn.store.memory_usage import MemoryUsageStore
from sojourn.usage.lines import UsageLine
from sojourn.usage.trail_keys import TrailFile
from tests.databases import fresh_database

ROLE = "arn:aws:iam::111122223333:role/orders-app"
USER = "arn:aws:iam::111122223333:user/alice"
T1 = datetime(2026, 11, 2, 9, tzinfo=UTC)
T2 = datetime(2026, 11, 20, 9, tzinfo=UTC)
AT = datetime(2026, 12, 1, tzinfo=UTC)
PREFIX = "AWSLogs/o-x/111122223333/CloudTrail/eu-west-1/"


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def usage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UsageRepository]:
    if request.param == "memory":
        yield MemoryUsageStore()
        return
    with fresh_database(request.param, tmp_path) as url:
        store = open_store(url)
        yield store.usage
        store.close()


def _line(principal: str, action: str, at: datetime, calls: int = 1, *, denied: bool = False) -> UsageLine:
    return UsageLine(principal, "i-1", action, "arn:aws:s3:::b/*", denied, at, at, calls)


def _file(name: str) -> TrailFile:
    return TrailFile(f"{PREFIX}2026/11/02/{name}.json.gz", PREFIX, 100)


def test_lines_merge_by_key_and_keep_the_span_and_the_sum(usage: UsageRepository) -> None:
    usage.add([_line(ROLE, "s3:GetObject", T2, 2)], [_file("a")], AT)
    usage.add(
        [_line(ROLE, "s3:GetObject", T1, 3), _line(ROLE, "s3:GetObject", T1, 1, denied=True)],
        [_file("b")],
        AT,
    )
    lines = usage.lines()
    used = next(line for line in lines if not line.denied)
    assert (used.first_seen, used.last_seen, used.calls) == (T1, T2, 5)
    assert [line.calls for line in lines if line.denied] == [1]


def test_filters_by_principal_and_last_use(usage: UsageRepository) -> None:
    usage.add([_line(ROLE, "s3:GetObject", T1), _line(USER, "s3:PutObject", T2)], [], AT)
    assert [line.principal for line in usage.lines(principal_like="role/orders")] == [ROLE]
    assert [line.action for line in usage.lines(since=datetime(2026, 11, 10, tzinfo=UTC))] == ["s3:PutObject"]
    assert usage.lines(principal_like="%") == []


def test_files_are_remembered_with_a_watermark_per_prefix(usage: UsageRepository) -> None:
    usage.add([], [_file("a"), _file("c")], AT)
    usage.add([], [_file("b")], AT)
    assert usage.ingested_keys() == {_file(n).key for n in "abc"}
    (mark,) = usage.watermarks()
    assert (mark.prefix, mark.files, mark.last_key, mark.last_ingested_at) == (PREFIX, 3, _file("c").key, AT)


def test_a_file_cannot_be_ingested_twice_and_nothing_of_the_batch_is_kept(usage: UsageRepository) -> None:
    usage.add([_line(ROLE, "s3:GetObject", T1)], [_file("a")], AT)
    with pytest.raises(Exception):  # noqa: B017 - the SQL store raises IntegrityError, the twin ValueError
        usage.add([_line(ROLE, "s3:GetObject", T2, 5)], [_file("a")], AT)
    (line,) = usage.lines()
    assert (line.calls, line.last_seen) == (1, T1)
