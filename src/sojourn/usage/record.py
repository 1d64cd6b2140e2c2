"""A decoded CloudTrail record (one element of a log file's "Records") to the core's values."""

from __future__ import annotations

from collections.abc import Mapping

from sojourn.usage.caller import Identity
from sojourn.usage.event import EventCall, scalar_parameters
from sojourn.usage.rules import EventRules

S3_SOURCE = "s3.amazonaws.com"


class RecordInvalid(ValueError):
    """The record lacks eventSource or eventName."""


def identity_of(record: Mapping[str, object]) -> Identity:
    identity = _object(record.get("userIdentity"))
    issuer = _object(_object(identity.get("sessionContext")).get("sessionIssuer"))
    behalf = _object(identity.get("onBehalfOf"))
    return Identity(
        type=_text(identity.get("type")),
        arn=_text(identity.get("arn")),
        issuer_arn=_text(issuer.get("arn")),
        account=_text(identity.get("accountId")),
        on_behalf_of=_text(behalf.get("userId")),
        invoked_by=_text(identity.get("invokedBy")),
    )


def call_of(record: Mapping[str, object], rules: EventRules) -> EventCall:
    source, name = _text(record.get("eventSource")), _text(record.get("eventName"))
    if source is None or name is None:
        raise RecordInvalid("a CloudTrail record needs eventSource and eventName")
    request = record.get("requestParameters")
    return EventCall(
        source=source,
        name=name,
        event_type=_text(record.get("eventType")),
        category=_text(record.get("eventCategory")),
        error_code=_text(record.get("errorCode")),
        region=_text(record.get("awsRegion")),
        account=_text(record.get("recipientAccountId")),
        parameters=scalar_parameters(
            request if isinstance(request, Mapping) else None, rules.resource_parameters()
        ),
        resource_arn=None if source == S3_SOURCE else _first_resource_arn(record.get("resources")),
    )


def _first_resource_arn(resources: object) -> str | None:
    if isinstance(resources, list) and resources and isinstance(resources[0], Mapping):
        return _text(resources[0].get("ARN"))
    return None


def _object(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
