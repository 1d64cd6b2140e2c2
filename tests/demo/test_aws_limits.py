"""The AWS-like limiter in front of moto: rate, outstanding operations, conflicts; and apply through it."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest
from bench.limited_apply import apply_through_limiter
from botocore.config import Config
from botocore.exceptions import ClientError

from sojourn.demo.aws_limits import LimitedAws, Limits
from sojourn.demo.seed import seed_s1_organization
from tests.conftest import MOTO_CALL_RATE

NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})


def _sso(endpoint: str) -> Any:
    return boto3.client("sso-admin", endpoint_url=endpoint, region_name="us-east-1", config=NO_RETRIES)


def _code(call: Any) -> str:
    try:
        call()
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return "ok"


def test_calls_beyond_the_rate_are_throttled_with_the_error_boto3_reads(moto_endpoint: str) -> None:
    with LimitedAws(moto_endpoint, Limits(rates={"sso": 20.0})) as proxy:
        sso = _sso(proxy.endpoint_url)
        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(lambda _i: _code(sso.list_instances), range(80)))
        elapsed = time.monotonic() - started
    passed = codes.count("ok")
    assert codes.count("ThrottlingException") == 80 - passed > 0
    assert passed <= 20 + 20 * elapsed + 1  # a full bucket, then 20 a second
    assert proxy.counts["throttled:sso"] == 80 - passed


def _assignment_requests(endpoint: str, people: int) -> tuple[list[dict[str, str]], str]:
    accounts = seed_s1_organization(endpoint)
    sso = _sso(endpoint)
    ids = boto3.client("identitystore", endpoint_url=endpoint, region_name="us-east-1")
    instance = sso.list_instances()["Instances"][0]
    arn = sso.create_permission_set(InstanceArn=instance["InstanceArn"], Name="ops")["PermissionSet"][
        "PermissionSetArn"
    ]
    requests = []
    for i in range(people):
        user = ids.create_user(
            IdentityStoreId=instance["IdentityStoreId"],
            UserName=f"u{i}",
            DisplayName=f"U {i}",
            Name={"GivenName": "U", "FamilyName": str(i)},
        )["UserId"]
        requests.append(
            {
                "InstanceArn": instance["InstanceArn"],
                "TargetId": accounts["team-a-dev"],
                "TargetType": "AWS_ACCOUNT",
                "PermissionSetArn": arn,
                "PrincipalType": "USER",
                "PrincipalId": user,
            }
        )
    return requests, instance["InstanceArn"]


def test_at_most_ten_operations_outstanding_each_in_progress_until_its_latency(moto_endpoint: str) -> None:
    requests, instance = _assignment_requests(moto_endpoint, 11)
    with LimitedAws(moto_endpoint, Limits(rates={}, latency=(1.0, 1.5))) as proxy:
        sso = _sso(proxy.endpoint_url)
        started = [
            sso.create_account_assignment(**r)["AccountAssignmentCreationStatus"] for r in requests[:10]
        ]
        assert {s["Status"] for s in started} == {"IN_PROGRESS"}
        assert _code(lambda: sso.create_account_assignment(**requests[10])) == "ThrottlingException"
        first = started[0]["RequestId"]
        described = sso.describe_account_assignment_creation_status(
            InstanceArn=instance, AccountAssignmentCreationRequestId=first
        )["AccountAssignmentCreationStatus"]
        assert described["Status"] == "IN_PROGRESS"
        listed = sso.list_account_assignment_creation_status(
            InstanceArn=instance, Filter={"Status": "IN_PROGRESS"}
        )["AccountAssignmentsCreationStatus"]
        assert {s["RequestId"] for s in listed} == {s["RequestId"] for s in started}
        time.sleep(1.6)
        described = sso.describe_account_assignment_creation_status(
            InstanceArn=instance, AccountAssignmentCreationRequestId=first
        )["AccountAssignmentCreationStatus"]
        assert described["Status"] == "SUCCEEDED"
        assert sso.create_account_assignment(**requests[10])["AccountAssignmentCreationStatus"]["Status"] == (
            "IN_PROGRESS"
        )
    assert proxy.counts["outstanding-limit"] == 1
    assert proxy.operations.peak == 10


def test_a_second_operation_on_a_pair_in_progress_is_a_conflict(moto_endpoint: str) -> None:
    requests, _ = _assignment_requests(moto_endpoint, 1)
    with LimitedAws(moto_endpoint, Limits(rates={}, latency=(1.0, 1.0))) as proxy:
        sso = _sso(proxy.endpoint_url)
        sso.create_account_assignment(**requests[0])
        assert _code(lambda: sso.delete_account_assignment(**requests[0])) == "ConflictException"
        time.sleep(1.1)
        assert sso.delete_account_assignment(**requests[0])["AccountAssignmentDeletionStatus"]["Status"] == (
            "IN_PROGRESS"
        )
    assert proxy.counts["conflict"] == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_apply_through_the_limiter_records_every_assignment_and_absorbs_throttles(
    moto_endpoint: str, tmp_path: Path, database_url: str
) -> None:
    # the client believes in more than the proxy allows: it must learn the limits from the answers
    result = apply_through_limiter(
        moto_endpoint,
        tmp_path / "apply.db",
        accounts=4,
        people=5,
        limits=Limits(rates={"sso": 10.0}, max_outstanding=3, latency=(0.2, 0.5)),
        settings={"sso_rate": 30.0, "max_outstanding": 6},
    )
    organizations = boto3.client("organizations", endpoint_url=moto_endpoint, region_name="us-east-1")
    accounts = organizations.list_accounts()["Accounts"]
    assert result.assignments == 5 * len(accounts) == 25
    assert result.outcome.ok and not result.outcome.failed
    assert result.outcome.done == result.intents == result.outcomes
    assert result.throttles > 0
    assert result.peak_outstanding <= 3
    sso = _sso(moto_endpoint)
    instance = sso.list_instances()["Instances"][0]["InstanceArn"]
    arn = sso.list_permission_sets(InstanceArn=instance)["PermissionSets"][0]
    made = 0
    for account in accounts:
        made += len(
            sso.list_account_assignments(InstanceArn=instance, AccountId=account["Id"], PermissionSetArn=arn)[
                "AccountAssignments"
            ]
        )
    assert made == 25


def test_operations_aws_ends_failed_are_recorded_as_failed_and_planned_again(
    moto_endpoint: str, tmp_path: Path
) -> None:
    """A third of the creations end FAILED (nothing made): each is an outcome on the audit log with
    AWS's reason, none is taken for done, and the next plan asks for exactly those again."""
    from bench.limited_apply import synthetic_sources

    from sojourn.aws.gateway import Boto3IdentityCenter
    from sojourn.aws.settings import AwsSettings
    from sojourn.catalog import load_catalog
    from sojourn.demo.aws_limits_ops import FAILURE_REASON
    from sojourn.service.planning import plan_access

    result = apply_through_limiter(
        moto_endpoint,
        tmp_path / "apply.db",
        accounts=2,
        people=6,
        limits=Limits(rates={}, latency=(0.05, 0.2), failures=1 / 3),
    )
    failed = result.outcome.failed
    assert failed and len(failed) < result.assignments
    assert all(FAILURE_REASON in f.detail for f in failed), [f.detail for f in failed]
    assert result.proxy_counts["failed"] == len(failed)
    assert result.outcome.done + len(failed) == result.intents == result.outcomes
    again = plan_access(
        synthetic_sources(6, 1),
        Boto3IdentityCenter(AwsSettings(endpoint_url=moto_endpoint, sso_rate=MOTO_CALL_RATE)),
        result.store,
        today=date.today(),
        catalog=load_catalog(),
    )
    missing = [c for c in again.plan.changes if type(c).__name__ == "AssignmentChange"]
    assert len(missing) == len(failed)
