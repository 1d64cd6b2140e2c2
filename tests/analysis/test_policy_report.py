"""A policy judged on its own: checks, profile, risk categories and escalation capabilities in one report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sojourn.analysis.capability import Capability, default_steps
from sojourn.analysis.capability_probe import ProbeOracle, find_capabilities
from sojourn.analysis.escalation import EscalationPath, bundled_paths
from sojourn.analysis.finding import AnalysisContext, Risk
from sojourn.analysis.policy_report import holder, holder_accounts, report_policy
from sojourn.catalog import ActionCatalog, load_catalog
from sojourn.policy import (
    ParseResult,
    PolicyKind,
    PolicySet,
    compile_policy_set,
    parse_policy,
    parse_policy_document,
)

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "aws-managed-policies"
PATHS = bundled_paths()


@pytest.fixture(scope="module")
def context() -> AnalysisContext:
    return AnalysisContext(catalog=load_catalog())


def parsed(*statements: dict, kind: PolicyKind = PolicyKind.IDENTITY) -> ParseResult:
    return parse_policy(json.dumps({"Version": "2012-10-17", "Statement": list(statements)}), kind=kind)


def ids(report_findings: tuple) -> set[str]:
    return {f.check.id for f in report_findings}


def test_administrator_access_grants_every_capability_and_every_risk(context: AnalysisContext) -> None:
    report = report_policy(parsed({"Effect": "Allow", "Action": "*", "Resource": "*"}), context)
    assert {e.path.id for e in report.escalations} == {c.value for c in Capability} - {"assume"}
    assert all(count > 0 for count in report.risks.values())
    catalog = context.catalog
    assert catalog is not None
    assert report.profile == catalog.access_level_counts(catalog.all_bits)
    assert report.worst is Risk.HIGH
    assert {"passrole-on-all-roles", "privilege-escalation-path", "risk-credentials-exposure"} <= ids(
        report.findings
    )


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.id)
def test_each_named_path_is_found_and_yields_to_a_deny(
    path: EscalationPath, context: AnalysisContext
) -> None:
    grant = {"Effect": "Allow", "Action": list(path.required), "Resource": "*"}
    assert report_policy(parsed(grant), context).escalations, path.id
    denied = {"Effect": "Deny", "Action": list(path.required), "Resource": "*"}
    assert report_policy(parsed(grant, denied), context).escalations == ()


def test_a_passrole_limited_to_one_named_role_is_not_an_escalation(context: AnalysisContext) -> None:
    report = report_policy(
        parsed(
            {"Effect": "Allow", "Action": "lambda:CreateFunction", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": "arn:aws:iam::123456789012:role/harmless-reader",
            },
        ),
        context,
    )
    assert report.escalations == ()


def test_risks_count_only_what_is_allowed_on_any_resource(context: AnalysisContext) -> None:
    scoped = report_policy(
        parsed({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/*"}), context
    )
    assert set(scoped.risks.values()) == {0}
    assert scoped.profile["Write"] > 0
    wide = report_policy(parsed({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}), context)
    assert wide.risks["data-exfiltration"] == 1
    assert [f.detail for f in wide.findings if f.check.id == "risk-data-exfiltration"] == [
        "1 action(s) on any resource: s3:GetObject"
    ]


def test_a_trust_policy_gets_its_checks_but_no_profile_or_paths(context: AnalysisContext) -> None:
    trust = parsed(
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}, kind=PolicyKind.TRUST
    )
    report = report_policy(trust, context)
    assert "trust-wildcard-principal" in ids(report.findings)
    assert report.profile == {} and report.risks == {} and report.escalations == ()


def test_a_document_that_is_not_a_policy_reports_its_issues_only(context: AnalysisContext) -> None:
    result = parse_policy("[1, 2]", source="bad.json")
    report = report_policy(result, context)
    assert report.policy is None and report.findings == ()
    assert report.source == "bad.json" and report.issues == result.issues


def test_screening_with_catalogue_bits_hides_nothing_the_engine_finds(context: AnalysisContext) -> None:
    catalog: ActionCatalog | None = context.catalog
    assert catalog is not None
    files = [p for p in sorted(CORPUS.iterdir()) if p.name != "SOURCE.txt" and p.read_text().strip()]
    flagged = 0
    for path in files[::3]:
        result = parse_policy_document(
            json.loads(path.read_text())["PolicyVersion"]["Document"],
            source=path.name,
            kind=PolicyKind.AWS_MANAGED,
        )
        assert result.policy is not None
        report = report_policy(result, context)
        found: dict[str, tuple[str, tuple[str, ...]]] = {}
        for account in holder_accounts(result.policy):
            whole = PolicySet(identity=(result.policy,))
            oracle = ProbeOracle(holder(account), account, compile_policy_set(whole), catalog)
            for escalation in find_capabilities(oracle, default_steps(catalog)):
                found.setdefault(escalation.path.id, (escalation.path.id, escalation.evidence))
        alone = [found[c.value] for c in Capability if c.value in found]
        assert [(e.path.id, e.evidence) for e in report.escalations] == alone, path.name
        flagged += bool(alone)
    assert flagged > 5


def test_a_policy_scoped_to_its_own_account_is_judged_for_a_holder_there(context: AnalysisContext) -> None:
    """iam:CreatePolicyVersion and iam:UpdateAssumeRolePolicy on the account's own ARNs only."""
    own = "111122223333"
    report = report_policy(
        parsed(
            {
                "Effect": "Allow",
                "Action": ["iam:CreatePolicyVersion", "iam:UpdateAssumeRolePolicy"],
                "Resource": [f"arn:aws:iam::{own}:policy/*", f"arn:aws:iam::{own}:role/*"],
            }
        ),
        context,
    )
    assert [e.path.id for e in report.escalations] == ["change-permissions", "change-trust"]
    assert report.escalations[0].principal == holder(own)


def test_a_statement_without_actions_has_no_unsupported_condition_key(context: AnalysisContext) -> None:
    statement = {
        "Effect": "Allow",
        "Action": [],
        "Resource": "*",
        "Condition": {"StringEquals": {"ec2:InstanceType": "t3.micro"}},
    }
    assert "condition-key-not-supported" not in ids(report_policy(parsed(statement), context).findings)


def test_a_star_beside_named_resources_still_means_any_resource(context: AnalysisContext) -> None:
    mixed = {
        "Effect": "Allow",
        "Action": ["iam:PassRole", "s3:GetObject"],
        "Resource": ["arn:aws:s3:::b/*", "*"],
    }
    report = report_policy(parsed(mixed), context)
    assert "passrole-on-all-roles" in ids(report.findings)
    assert report.risks["data-exfiltration"] == 1
    denied = {"Effect": "Deny", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/*", "*"]}
    assert report_policy(parsed(mixed, denied), context).risks["data-exfiltration"] == 0


def test_catalogue_bits_take_names_in_any_letter_case(context: AnalysisContext) -> None:
    catalog = context.catalog
    assert catalog is not None
    assert catalog.bits_of(["S3:getobject"]) == catalog.bits_of(["s3:GetObject"]) != 0
