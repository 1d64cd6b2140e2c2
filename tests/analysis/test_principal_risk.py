"""Risk categories on the union of a principal's policies, decided by the engine."""

from __future__ import annotations

from typing import Any

import pytest

from sojourn.analysis.graph_build import GraphBuilder
from sojourn.analysis.principal_risk import principal_risks
from sojourn.analysis.snapshot import AccountSnapshot, InlinePolicy, OrgSnapshot, User
from sojourn.analysis.snapshot_findings import snapshot_findings
from sojourn.catalog import ActionCatalog, load_catalog

ACCOUNT = "111111111111"


@pytest.fixture(scope="module")
def catalog() -> ActionCatalog:
    return load_catalog()


def risks(catalog: ActionCatalog, *documents: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    inline = tuple(InlinePolicy(f"p{i}", d) for i, d in enumerate(documents))
    user = User(f"arn:aws:iam::{ACCOUNT}:user/u", "u", inline=inline)
    builder = GraphBuilder(OrgSnapshot((AccountSnapshot(ACCOUNT, "a", users=(user,)),)), catalog)
    return principal_risks(builder, builder.holders[0])


def doc(effect: str, action: str, resource: str = "*") -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": effect, "Action": action, "Resource": resource}],
    }


def test_secrets_on_any_resource_are_credentials_exposure(catalog: ActionCatalog) -> None:
    found = risks(catalog, doc("Allow", "secretsmanager:GetSecretValue"))
    assert found["credentials-exposure"] == ("secretsmanager:GetSecretValue",)


def test_a_deny_in_another_policy_clears_it(catalog: ActionCatalog) -> None:
    found = risks(catalog, doc("Allow", "secretsmanager:*"), doc("Deny", "secretsmanager:GetSecretValue"))
    assert "secretsmanager:GetSecretValue" not in found.get("credentials-exposure", ())
    assert "secretsmanager:PutResourcePolicy" in found["resource-exposure"]


def test_a_grant_on_named_resources_is_not_a_risk_on_any_resource(catalog: ActionCatalog) -> None:
    named = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:app-*"
    assert risks(catalog, doc("Allow", "secretsmanager:GetSecretValue", named)) == {}


def test_findings_name_the_category_and_the_actions(catalog: ActionCatalog) -> None:
    user = User(
        f"arn:aws:iam::{ACCOUNT}:user/u", "u", inline=(InlinePolicy("p", doc("Allow", "s3:GetObject")),)
    )
    builder = GraphBuilder(OrgSnapshot((AccountSnapshot(ACCOUNT, "a", users=(user,)),)), catalog)
    found = [f for f in snapshot_findings(builder, builder.build()) if f.check.id.startswith("risk-")]
    assert [(f.check.id, f.source) for f in found] == [("risk-data-exfiltration", user.arn)]
    assert "s3:GetObject" in found[0].detail
