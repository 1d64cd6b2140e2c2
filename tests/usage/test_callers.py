"""Who made a call: IAM users, role sessions, Identity Center sessions and users, root, AWS services."""

from __future__ import annotations

from sojourn.usage.caller import CallerKind, Identity, caller_of, permission_set_of
from sojourn.usage.record import identity_of
from tests.usage.samples import fixture_records


def _caller_by_event(name: str) -> tuple[CallerKind, str, str | None]:
    record = next(r for r in fixture_records() if r["eventName"] == name)
    caller = caller_of(identity_of(record))
    return caller.kind, caller.principal, caller.session


def test_an_assumed_role_session_is_charged_to_the_role_with_its_session_name() -> None:
    assert _caller_by_event("Query") == (
        CallerKind.ROLE,
        "arn:aws:iam::111122223333:role/orders-app",
        "i-0abc1234",
    )


def test_an_identity_center_session_names_the_permission_set_and_the_person() -> None:
    kind, principal, session = _caller_by_event("GetFunction20150331v2")
    assert kind is CallerKind.PERMISSION_SET
    assert principal.endswith(
        ":role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Developer_0123456789abcdef"
    )
    assert session == "bob@example.com"
    assert permission_set_of(principal) == "Developer"


def test_permission_set_names_may_hold_underscores_and_plain_roles_are_none() -> None:
    assert permission_set_of("arn:aws:iam::1:role/AWSReservedSSO_Read_Only_0123456789abcdef") == "Read_Only"
    assert permission_set_of("arn:aws:iam::1:role/AWSReservedSSO_Developer") is None
    assert permission_set_of("arn:aws:iam::1:user/AWSReservedSSO_Developer_0123456789abcdef") is None


def test_on_behalf_of_is_the_identity_center_user_not_an_iam_principal() -> None:
    kind, principal, _ = _caller_by_event("ListAccounts")
    assert kind is CallerKind.IDENTITY_CENTER_USER
    assert principal == "identity-center-user/90676d2a-1234-5678-9abc-def012345678"
    assert not caller_of(
        identity_of(next(r for r in fixture_records() if r["eventName"] == "ListAccounts"))
    ).right_sizable


def test_iam_user_root_and_service_callers() -> None:
    assert _caller_by_event("ListObjectsV2") == (
        CallerKind.IAM_USER,
        "arn:aws:iam::111122223333:user/alice",
        None,
    )
    assert _caller_by_event("DescribeInstances")[:2] == (CallerKind.ROOT, "arn:aws:iam::111122223333:root")
    assert _caller_by_event("AssumeRole")[:2] == (CallerKind.AWS_SERVICE, "lambda.amazonaws.com")


def test_a_session_without_its_issuer_is_charged_to_the_role_its_arn_names() -> None:
    identity = Identity("AssumedRole", arn="arn:aws:sts::111122223333:assumed-role/deploy/ci-42")
    assert caller_of(identity).principal == "arn:aws:iam::111122223333:role/deploy"
    assert caller_of(identity).session == "ci-42"
