"""Each exception of usage/data/event_actions.json, checked against the catalogue and mapped."""

from __future__ import annotations

import json

import pytest

from sojourn.activity.rules_file import event_rules_text
from sojourn.catalog import ActionCatalog
from sojourn.usage.event import EventCall
from sojourn.usage.permission import Need, permission_for, service_prefix
from sojourn.usage.rules import EventRules, RulesInvalid, parse_event_rules

DOCUMENT = json.loads(event_rules_text())


def _id(entry: dict[str, object]) -> str:
    return f"{entry['source']}:{entry.get('event', entry.get('example', entry.get('prefix')))}"


@pytest.mark.parametrize("entry", DOCUMENT["renamed"], ids=_id)
def test_each_renamed_event_maps_to_its_catalogue_actions(
    entry: dict[str, object], catalog: ActionCatalog, rules: EventRules
) -> None:
    expected = entry["actions"]
    assert isinstance(expected, list)
    assert all(catalog.knows_action(a) for a in expected), expected
    permission = permission_for(EventCall(str(entry["source"]), str(entry["event"])), catalog, rules)
    assert permission.need is Need.ACTION
    assert permission.actions == tuple(expected)


@pytest.mark.parametrize("entry", DOCUMENT["source_prefixes"], ids=_id)
def test_each_source_prefix_is_a_catalogue_service(
    entry: dict[str, object], catalog: ActionCatalog, rules: EventRules
) -> None:
    assert catalog.knows_service(str(entry["prefix"]))
    assert service_prefix(str(entry["source"]), rules) == entry["prefix"]


@pytest.mark.parametrize("entry", DOCUMENT["permissionless"], ids=_id)
def test_each_permissionless_event_needs_no_action(
    entry: dict[str, object], catalog: ActionCatalog, rules: EventRules
) -> None:
    permission = permission_for(EventCall(str(entry["source"]), str(entry["event"])), catalog, rules)
    assert permission.need is Need.PERMISSIONLESS
    assert permission.uses == ()


@pytest.mark.parametrize("entry", DOCUMENT["versioned_names"], ids=_id)
def test_each_versioned_name_pattern_strips_its_example(
    entry: dict[str, object], catalog: ActionCatalog, rules: EventRules
) -> None:
    permission = permission_for(EventCall(str(entry["source"]), str(entry["example"])), catalog, rules)
    assert permission.need is Need.ACTION
    assert len(permission.actions) == 1
    assert str(entry["example"]).startswith(permission.actions[0].split(":")[1])


@pytest.mark.parametrize("entry", DOCUMENT["data_events"], ids=lambda e: e["source"])
def test_listed_data_events_are_data_events_when_the_record_has_no_category(
    entry: dict[str, object], catalog: ActionCatalog, rules: EventRules
) -> None:
    events = entry["events"]
    assert isinstance(events, list)
    for name in events:
        permission = permission_for(EventCall(str(entry["source"]), name), catalog, rules)
        assert permission.data_event, name
        assert permission.need is Need.ACTION, name


@pytest.mark.parametrize("variable", DOCUMENT["arn_variables"], ids=lambda v: v["variable"])
def test_each_arn_variable_occurs_in_some_catalogue_arn_template(
    variable: dict[str, object], catalog: ActionCatalog
) -> None:
    needle = "${" + str(variable["variable"]) + "}"
    templates = {
        r.arn
        for prefix in catalog.services()
        for info in (catalog.service(prefix).actions.values() if catalog.service(prefix) else ())
        for r in info.resource_types
    }
    assert any(needle in t for t in templates)


# The named exceptions of issue 15, one test each.


def test_list_objects_and_v2_need_list_bucket_on_the_bucket(
    catalog: ActionCatalog, rules: EventRules
) -> None:
    for name in ("ListObjects", "ListObjectsV2"):
        call = EventCall("s3.amazonaws.com", name, parameters=(("bucketName", "reports"),))
        permission = permission_for(call, catalog, rules)
        assert [(u.action, u.resource) for u in permission.uses] == [
            ("s3:ListBucket", "arn:aws:s3:::reports")
        ]


def test_head_object_needs_get_object_on_the_buckets_objects(
    catalog: ActionCatalog, rules: EventRules
) -> None:
    call = EventCall("s3.amazonaws.com", "HeadObject", parameters=(("bucketName", "reports"),))
    permission = permission_for(call, catalog, rules)
    assert [(u.action, u.resource) for u in permission.uses] == [("s3:GetObject", "arn:aws:s3:::reports/*")]
    assert permission.data_event


def test_head_bucket_needs_list_bucket(catalog: ActionCatalog, rules: EventRules) -> None:
    assert permission_for(EventCall("s3.amazonaws.com", "HeadBucket"), catalog, rules).actions == (
        "s3:ListBucket",
    )


def test_versioned_lambda_name_is_the_plain_action_on_the_function(
    catalog: ActionCatalog, rules: EventRules
) -> None:
    call = EventCall(
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        region="eu-west-1",
        account="111122223333",
        parameters=(("functionName", "orders-api"),),
    )
    permission = permission_for(call, catalog, rules)
    assert [(u.action, u.resource) for u in permission.uses] == [
        ("lambda:GetFunction", "arn:aws:lambda:eu-west-1:111122223333:function:orders-api")
    ]
    assert permission_for(
        EventCall("lambda.amazonaws.com", "ListFunctions20150331"), catalog, rules
    ).actions == ("lambda:ListFunctions",)


def test_monitoring_is_cloudwatch(catalog: ActionCatalog, rules: EventRules) -> None:
    assert permission_for(EventCall("monitoring.amazonaws.com", "GetMetricData"), catalog, rules).actions == (
        "cloudwatch:GetMetricData",
    )


def test_get_caller_identity_and_console_sign_in_need_nothing(
    catalog: ActionCatalog, rules: EventRules
) -> None:
    for source, name in (
        ("sts.amazonaws.com", "GetCallerIdentity"),
        ("signin.amazonaws.com", "ConsoleLogin"),
    ):
        assert permission_for(EventCall(source, name), catalog, rules).need is Need.PERMISSIONLESS


def test_identity_center_portal_calls_need_nothing_but_administration_does(
    catalog: ActionCatalog, rules: EventRules
) -> None:
    assert permission_for(EventCall("sso.amazonaws.com", "GetRoleCredentials"), catalog, rules).need is (
        Need.PERMISSIONLESS
    )
    assert permission_for(
        EventCall("sso.amazonaws.com", "CreateAccountAssignment"), catalog, rules
    ).actions == ("sso:CreateAccountAssignment",)


def test_access_denied_is_a_wanted_action_not_a_used_one(catalog: ActionCatalog, rules: EventRules) -> None:
    call = EventCall("iam.amazonaws.com", "CreateUser", error_code="AccessDenied", account="111122223333")
    permission = permission_for(call, catalog, rules)
    assert permission.denied
    assert permission.actions == ("iam:CreateUser",)
    other_error = EventCall("s3.amazonaws.com", "GetObject", error_code="NoSuchKey")
    assert not permission_for(other_error, catalog, rules).denied


def test_data_and_management_events_follow_the_records_category(
    catalog: ActionCatalog, rules: EventRules
) -> None:
    assert permission_for(
        EventCall("s3.amazonaws.com", "GetObject", category="Data"), catalog, rules
    ).data_event
    management = EventCall("s3.amazonaws.com", "GetBucketPolicy", category="Management")
    assert not permission_for(management, catalog, rules).data_event


def test_service_events_and_insights_are_not_calls(catalog: ActionCatalog, rules: EventRules) -> None:
    service_event = EventCall("kms.amazonaws.com", "RotateKey", event_type="AwsServiceEvent")
    assert permission_for(service_event, catalog, rules).need is Need.NOT_A_CALL
    insight = EventCall(
        "ec2.amazonaws.com", "RunInstances", event_type="AwsCloudTrailInsight", category="Insight"
    )
    assert permission_for(insight, catalog, rules).need is Need.NOT_A_CALL


def test_api_gateway_event_names_map_to_http_verbs(catalog: ActionCatalog, rules: EventRules) -> None:
    assert permission_for(EventCall("apigateway.amazonaws.com", "GetResource"), catalog, rules).actions == (
        "apigateway:GET",
    )
    assert permission_for(EventCall("apigateway.amazonaws.com", "CreateRestApi"), catalog, rules).actions == (
        "apigateway:POST",
    )


def test_an_event_the_catalogue_does_not_know_is_unknown(catalog: ActionCatalog, rules: EventRules) -> None:
    permission = permission_for(EventCall("ec2.amazonaws.com", "NoSuchCall"), catalog, rules)
    assert permission.need is Need.UNKNOWN
    assert "ec2:NoSuchCall" in permission.why


def test_a_rules_document_with_a_wrong_shape_is_refused() -> None:
    broken = dict(DOCUMENT, renamed=[{"source": "s3.amazonaws.com", "event": "ListObjects"}])
    with pytest.raises(RulesInvalid, match="actions"):
        parse_event_rules(broken)
