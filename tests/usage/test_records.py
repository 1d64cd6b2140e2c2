"""The documented record shapes mapped end to end in the core, and the coverage over the real samples."""

from __future__ import annotations

from sojourn.catalog import ActionCatalog
from sojourn.usage.coverage import mapping_coverage
from sojourn.usage.lines import EventGroup, event_time, usage_lines
from sojourn.usage.record import call_of, identity_of
from sojourn.usage.rules import EventRules
from tests.usage.samples import fixture_records, parseable_records, sample_files

COVERAGE_FLOOR = 0.9


def _groups(records: list[dict[str, object]], rules: EventRules) -> list[EventGroup]:
    return [
        EventGroup(
            identity_of(r),
            call_of(r, rules),
            event_time(str(r["eventTime"])),
            event_time(str(r["eventTime"])),
            1,
        )
        for r in records
    ]


def test_the_s4_4_role_used_exactly_get_object_on_one_bucket_and_query_on_one_table(
    catalog: ActionCatalog, rules: EventRules
) -> None:
    batch = usage_lines(_groups(fixture_records(), rules), catalog, rules)
    role = "arn:aws:iam::111122223333:role/orders-app"
    used = sorted((line.action, line.resource, line.calls) for line in batch.lines if line.principal == role)
    assert used == [
        ("dynamodb:Query", "arn:aws:dynamodb:eu-west-1:111122223333:table/orders", 1),
        ("s3:GetObject", "arn:aws:s3:::orders-archive/*", 2),
    ]


def test_the_denied_call_is_kept_apart_as_wanted(catalog: ActionCatalog, rules: EventRules) -> None:
    batch = usage_lines(_groups(fixture_records(), rules), catalog, rules)
    denied = [(line.action, line.resource) for line in batch.lines if line.denied]
    assert denied == [("iam:CreateUser", "arn:aws:iam::111122223333:user/mallory")]


def test_every_event_is_counted_once_by_what_became_of_it(catalog: ActionCatalog, rules: EventRules) -> None:
    records = fixture_records()
    batch = usage_lines(_groups(records, rules), catalog, rules)
    assert batch.events == len(records)
    # GetCallerIdentity, ConsoleLogin and the portal's ListAccounts need nothing; the KMS event is no call;
    # the AssumeRole by Lambda is the service's own.
    assert (batch.permissionless, batch.not_calls, batch.by_services) == (3, 1, 1)
    assert batch.used == len(records) - 5
    assert batch.unmapped == {}


def test_secrets_are_named_with_the_random_suffix_wildcard(catalog: ActionCatalog, rules: EventRules) -> None:
    batch = usage_lines(_groups(fixture_records(), rules), catalog, rules)
    secret = next(line for line in batch.lines if line.action == "secretsmanager:GetSecretValue")
    assert secret.resource == "arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders/db-??????"


def test_mapping_coverage_over_the_real_samples(catalog: ActionCatalog, rules: EventRules) -> None:
    calls = [call_of(r, rules) for r in parseable_records(sample_files())]
    coverage = mapping_coverage(calls, catalog, rules)
    print(f"real samples: {coverage.mapped}/{coverage.pairs} pairs mapped ({coverage.share_mapped:.0%})")
    assert coverage.pairs >= 6
    assert coverage.share_mapped >= COVERAGE_FLOOR, coverage.unmapped


def test_mapping_coverage_over_the_documented_shapes(catalog: ActionCatalog, rules: EventRules) -> None:
    calls = [call_of(r, rules) for r in fixture_records()]
    coverage = mapping_coverage(calls, catalog, rules)
    assert coverage.unmapped == ()
    assert coverage.share_understood == 1.0
