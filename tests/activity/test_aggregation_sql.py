"""The aggregation SQL text, run in DuckDB, groups exactly as the core reads each record on its own."""

from __future__ import annotations

import re
from pathlib import Path

from sojourn.activity.duckdb_aggregator import DuckDbAggregator
from sojourn.activity.local_files import find_trail_files
from sojourn.activity.rules_file import load_event_rules
from sojourn.catalog import load_catalog
from sojourn.usage.aggregation_sql import aggregation_query
from sojourn.usage.lines import EventGroup, event_time, usage_lines
from sojourn.usage.record import call_of, identity_of
from tests.activity.trail_layout import lay_out_samples, log_key, write_log
from tests.usage.samples import fixture_records, parseable_records, sample_files


def test_duckdb_groups_give_the_same_usage_as_record_by_record_mapping(tmp_path: Path) -> None:
    rules, catalog = load_event_rules(), load_catalog()
    lay_out_samples(tmp_path)
    write_log(tmp_path, log_key("111122223333", "eu-west-1", "2026-11-02", "shapes"), fixture_records())
    aggregator = DuckDbAggregator(tmp_path, rules, threads=1)
    try:
        aggregate = aggregator.event_groups(find_trail_files(tmp_path))
    finally:
        aggregator.close()
    records = [*parseable_records(sample_files()), *fixture_records()]
    one_by_one = [
        EventGroup(
            identity_of(r),
            call_of(r, rules),
            event_time(str(r["eventTime"])),
            event_time(str(r["eventTime"])),
            1,
        )
        for r in records
    ]
    by_sql = usage_lines(aggregate.groups, catalog, rules)
    by_record = usage_lines(one_by_one, catalog, rules)
    assert sum(g.calls for g in aggregate.groups) == len(records)
    assert sorted(by_sql.lines, key=lambda line: line.key) == sorted(
        by_record.lines, key=lambda line: line.key
    )
    assert (by_sql.events, by_sql.used, by_sql.permissionless) == (
        by_record.events,
        by_record.used,
        by_record.permissionless,
    )


def test_the_sql_is_plain_grouping_over_one_relation_with_nothing_engine_specific() -> None:
    query = aggregation_query(load_event_rules().resource_parameters())
    assert "FROM cloudtrail_events\n" in query.text
    lowered = query.text.lower()
    functions = set(re.findall(r"([a-z_]+)\(", lowered))
    assert functions == {"min", "max", "count"}
    assert "json" not in lowered and "->" not in lowered and "::" not in lowered


def test_a_parameter_name_that_is_not_an_identifier_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError, match="not a request parameter"):
        aggregation_query(("bucketName') OR 1=1 --",))
