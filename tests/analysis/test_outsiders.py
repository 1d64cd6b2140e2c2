"""who-can names the callers the organisation does not control: another account trusted as a whole, a named
principal of another account, anyone with an AWS account, anyone without credentials; through trust
policies, chains of roles and resource policies, unless a condition keeps them out."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from sojourn.analysis.graph_build import GraphBuilder
from sojourn.analysis.queries import paths_to, who_can
from sojourn.analysis.snapshot import AccountSnapshot, InlinePolicy, OrgSnapshot, ResourcePolicy, Role
from sojourn.analysis.snapshot_findings import snapshot_findings
from sojourn.catalog import ActionCatalog, load_catalog

ORG, OTHER = "111111111111", "999988887777"
ORG_ID = "o-abc123"
BUCKET = "arn:aws:s3:::reports"
OBJECT = f"{BUCKET}/q3.csv"
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def trust(principal: Any, **extra: Any) -> dict[str, Any]:
    return doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal, **extra})


def arn(name: str) -> str:
    return f"arn:aws:iam::{ORG}:role/{name}"


def snapshot(*roles: Role, bucket: dict[str, Any] | None = None) -> OrgSnapshot:
    policies = (ResourcePolicy(BUCKET, ORG, "s3", bucket),) if bucket else ()
    account = AccountSnapshot(ORG, "prod", roles=roles, resource_policies=policies)
    return OrgSnapshot((account,), ORG_ID)


def role(name: str, trusts: dict[str, Any], *inline: dict[str, Any]) -> Role:
    return Role(arn(name), name, trusts, inline=tuple(InlinePolicy(f"p{i}", d) for i, d in enumerate(inline)))


@pytest.fixture(scope="module")
def catalog() -> ActionCatalog:
    return load_catalog()


def ask(taken: OrgSnapshot, catalog: ActionCatalog, action: str, resource: str) -> dict[str, Any]:
    builder = GraphBuilder(taken, catalog)
    graph = builder.build()
    return {
        p.start: (graph.display(p.start), [h.target for h in p.hops], p.conditions)
        for p in who_can(builder, graph, action, resource)
    }


def test_another_accounts_root_without_external_id_is_any_principal_of_that_account(
    catalog: ActionCatalog,
) -> None:
    taken = snapshot(role("vendor", trust({"AWS": f"arn:aws:iam::{OTHER}:root"})))
    answers = ask(taken, catalog, "sts:AssumeRole", arn("vendor"))
    assert answers == {
        f"external:{OTHER}": (f"any principal in account {OTHER} (outside the organisation)", [], ())
    }


def test_an_external_id_is_named_as_what_the_outsider_needs(catalog: ActionCatalog) -> None:
    guarded = trust({"AWS": OTHER}, Condition={"StringEquals": {"sts:ExternalId": "s3cr3t"}})
    answers = ask(snapshot(role("vendor", guarded)), catalog, "sts:AssumeRole", arn("vendor"))
    (_, hops, conditions) = answers[f"external:{OTHER}"]
    assert hops == [] and any("sts:ExternalId" in c for c in conditions)


def test_a_named_role_of_another_account_is_listed_by_its_arn(catalog: ActionCatalog) -> None:
    theirs = f"arn:aws:iam::{OTHER}:role/auditor"
    answers = ask(snapshot(role("vendor", trust({"AWS": theirs}))), catalog, "sts:AssumeRole", arn("vendor"))
    assert answers == {theirs: (f"{theirs} (outside the organisation)", [], ())}


def test_a_role_trusting_star_lets_anyone_with_an_aws_account_in(catalog: ActionCatalog) -> None:
    answers = ask(
        snapshot(role("open-door", trust({"AWS": "*"}))), catalog, "sts:AssumeRole", arn("open-door")
    )
    assert answers["anyone"] == ("anyone with an AWS account", [], ())
    assert "anyone:anonymous" not in answers  # AssumeRole needs credentials


def test_a_condition_on_the_organisation_keeps_outsiders_out(catalog: ActionCatalog) -> None:
    inside = trust("*", Condition={"StringEquals": {"aws:PrincipalOrgID": ORG_ID}})
    answers = ask(snapshot(role("org-only", inside)), catalog, "sts:AssumeRole", arn("org-only"))
    assert not {"anyone", "anyone:anonymous"} & set(answers)


def test_an_outsider_reaching_a_role_through_another_is_listed_with_its_chain(catalog: ActionCatalog) -> None:
    hop = role(
        "vendor",
        trust({"AWS": OTHER}),
        doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn("Admin")}),
    )
    admin = role("Admin", trust({"AWS": arn("vendor")}), ADMIN)
    taken = snapshot(hop, admin)
    answers = ask(taken, catalog, "sts:AssumeRole", arn("Admin"))
    assert answers[f"external:{OTHER}"][1] == [arn("vendor")]
    builder = GraphBuilder(taken, catalog)
    graph = builder.build()
    assert f"external:{OTHER}" in {p.start for p in paths_to(graph, "admin")}
    escalations = [f for f in snapshot_findings(builder, graph) if f.check.id == "escalation-to-admin"]
    outsider = next(f for f in escalations if f.source == f"external:{OTHER}")
    assert outsider.detail.startswith(
        f"any principal in account {OTHER} (outside the organisation) -[can assume"
    )


def test_a_public_bucket_lists_anyone_without_credentials(catalog: ActionCatalog) -> None:
    public = doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"})
    answers = ask(snapshot(bucket=public), catalog, "s3:GetObject", OBJECT)
    assert answers["anyone:anonymous"][0] == "anyone, without credentials (public)"
    assert "anyone" in answers


def test_a_bucket_shared_with_another_account_lists_it_and_not_for_other_actions(
    catalog: ActionCatalog,
) -> None:
    shared = doc(
        {"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"}
    )
    taken = snapshot(bucket=shared)
    assert set(ask(taken, catalog, "s3:GetObject", OBJECT)) == {f"external:{OTHER}"}
    assert ask(taken, catalog, "s3:PutObject", OBJECT) == {}
    org_only = doc(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"{BUCKET}/*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}},
        }
    )
    assert (
        ask(replace(taken, accounts=snapshot(bucket=org_only).accounts), catalog, "s3:GetObject", OBJECT)
        == {}
    )


def test_an_account_of_the_organisation_is_not_an_outsider(catalog: ActionCatalog) -> None:
    taken = snapshot(role("ops", trust({"AWS": ORG})))
    assert not any(
        k.startswith(("external:", "anyone")) for k in ask(taken, catalog, "sts:AssumeRole", arn("ops"))
    )
