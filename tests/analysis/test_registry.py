"""Meta-test of the check registry, and each check on its own (S3.1, S3.2, S5.2 at policy level)."""

from __future__ import annotations

import json

import pytest

from sojourn.analysis.finding import RISK_ORDER, AnalysisContext, Check, CheckMeta, Risk
from sojourn.analysis.graph_build import GraphBuilder
from sojourn.analysis.policy_report import report_policy
from sojourn.analysis.registry import ALL_CHECKS, CHECKS, REPORT_CHECKS, SNAPSHOT_CHECKS, analyse
from sojourn.analysis.snapshot_codec import snapshot_from_json
from sojourn.analysis.snapshot_findings import snapshot_findings
from sojourn.catalog import load_catalog
from sojourn.policy import PolicyKind, parse_policy

ORG = AnalysisContext(frozenset({"111122223333", "444455556666"}), "o-example", load_catalog())


def kind_of(check: Check) -> PolicyKind:
    if "trust" in check.kinds:
        return PolicyKind.TRUST
    return PolicyKind.IDENTITY if "identity" in check.kinds else PolicyKind.RESOURCE


def test_ids_are_unique_and_metadata_complete() -> None:
    ids = [meta.id for meta in ALL_CHECKS]
    assert len(ids) == len(set(ids))
    for meta in ALL_CHECKS:
        assert meta.title and meta.remediation and meta.example
        assert meta.id.replace("-", "").isalnum()
    assert all(check.kinds for check in CHECKS)


def test_every_check_meta_defined_in_the_package_is_registered() -> None:
    import importlib
    import pkgutil

    import sojourn

    defined: set[int] = set()
    for module in pkgutil.walk_packages(sojourn.__path__, "sojourn."):
        if module.name.startswith(("sojourn.analysis", "sojourn.policy", "sojourn.service")):
            values = vars(importlib.import_module(module.name)).values()
            defined |= {id(v) for v in values if isinstance(v, CheckMeta)}
            defined |= {
                id(item)
                for v in values
                if isinstance(v, dict)
                for item in v.values()
                if isinstance(item, CheckMeta)
            }
    assert defined <= {id(meta) for meta in ALL_CHECKS}


def test_one_order_of_risks() -> None:
    assert [risk.rank for risk in RISK_ORDER] == [0, 1, 2, 3, 4]
    assert Risk.HIGH.at_least(Risk.MEDIUM) and not Risk.LOW.at_least(Risk.MEDIUM)
    assert set(RISK_ORDER) == set(Risk)


@pytest.mark.parametrize("meta", REPORT_CHECKS, ids=[m.id for m in REPORT_CHECKS])
def test_every_report_example_is_flagged_by_the_report(meta: CheckMeta) -> None:
    report = report_policy(parse_policy(meta.example, source="example.json"), ORG)
    assert meta.id in {f.check.id for f in report.findings}


@pytest.mark.parametrize("meta", SNAPSHOT_CHECKS, ids=[m.id for m in SNAPSHOT_CHECKS])
def test_every_snapshot_example_is_flagged_by_the_graph(meta: CheckMeta) -> None:
    builder = GraphBuilder(snapshot_from_json(json.loads(meta.example)), ORG.catalog)
    assert meta.id in {f.check.id for f in snapshot_findings(builder, builder.build())}


@pytest.mark.parametrize("check", CHECKS, ids=[c.meta.id for c in CHECKS])
def test_every_example_is_valid_and_flagged_by_its_check(check: Check) -> None:
    result = parse_policy(check.meta.example, source="example.json", kind=kind_of(check))
    assert result.ok, result.issues
    assert result.policy is not None
    findings = analyse(result.policy, ORG, [check])
    assert [f.check.id for f in findings] == [check.meta.id]
    assert findings[0].line == 1 and findings[0].path == "Statement[0]"


def trust(statement: dict) -> list[str]:
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    result = parse_policy(document, kind=PolicyKind.TRUST)
    assert result.policy is not None
    return [f.check.id for f in analyse(result.policy, ORG)]


def test_s3_1_wildcard_trust_is_critical_unless_narrowed() -> None:
    base = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    assert trust(base) == ["trust-wildcard-principal"]
    assert trust(base | {"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-example"}}}) == []


def test_s3_2_external_account_needs_external_id_and_people_need_mfa() -> None:
    external = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
        "Action": "sts:AssumeRole",
    }
    assert trust(external) == ["trust-external-account-without-external-id"]
    assert trust(external | {"Condition": {"StringEquals": {"sts:ExternalId": "a1b2"}}}) == []
    internal = {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "sts:AssumeRole"}
    assert trust(internal) == ["trust-human-without-mfa"]
    assert trust(internal | {"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}) == []
    named_role = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::999988887777:role/deployer"},
        "Action": "sts:AssumeRole",
    }
    assert trust(named_role) == []


def test_passrole_star_flagged_and_cleared_by_naming_roles_or_service() -> None:
    def ids(statement: dict) -> list[str]:
        result = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
        assert result.policy is not None
        return [f.check.id for f in analyse(result.policy, ORG)]

    assert ids({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}) == [
        "create-slr-for-any-service",
        "passrole-on-all-roles",
    ]
    assert (
        ids({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app"})
        == []
    )
    assert (
        ids(
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
            }
        )
        == []
    )
    assert ids({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}) == [
        "allow-with-not-action",
        "create-slr-for-any-service",
        "passrole-on-all-roles",
    ]
