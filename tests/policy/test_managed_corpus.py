"""Every AWS managed policy in the shared corpus parses; catalogue gaps are exactly the investigated ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sojourn.catalog import ActionCatalog
from sojourn.catalog.retired import RETIRED_SERVICES as RETIRED
from sojourn.policy import PolicyKind, Severity, parse_policy
from sojourn.policy.validate import validate_policy

EMPTY_IN_SNAPSHOT = {"AWSCodePipelineFullAccess", "AWSECRPullThroughCacheServiceRolePolicy"}
RETIRED_SERVICES = set(RETIRED)
NOT_IAM_ACTIONS = {"s3:ListBuckets", "s3:ListObjects", "s3:ListObjectsV2", "ssm:RemoveTagsToResource"}
"""API operation names or typos that AWS wrote into managed policies; they grant nothing."""


@pytest.fixture(scope="module")
def corpus(shared_dir: Path) -> list[tuple[str, str]]:
    folder = shared_dir / "data" / "aws-managed-policies"
    return [(p.name, p.read_text()) for p in sorted(folder.iterdir()) if p.name != "SOURCE.txt"]


def test_corpus_has_1525_policies_and_each_parses_without_structural_error(
    corpus: list[tuple[str, str]],
) -> None:
    policies = corpus
    assert len(policies) == 1525
    parsed = 0
    for name, text in policies:
        if not text.strip():
            assert name in EMPTY_IN_SNAPSHOT
            continue
        document = json.loads(text)["PolicyVersion"]["Document"]
        result = parse_policy(json.dumps(document, indent=4), source=name, kind=PolicyKind.AWS_MANAGED)
        assert result.ok, [str(i) for i in result.issues]
        parsed += 1
    assert parsed == 1523


def test_unknown_actions_on_the_corpus_are_the_investigated_ones(
    catalog: ActionCatalog, corpus: list[tuple[str, str]]
) -> None:
    unknown_services: set[str] = set()
    unknown_actions: set[str] = set()
    for name, text in corpus:
        if not text.strip():
            continue
        document = json.loads(text)["PolicyVersion"]["Document"]
        policy = parse_policy(json.dumps(document), source=name, kind=PolicyKind.AWS_MANAGED).policy
        assert policy is not None
        for issue in validate_policy(policy, catalog):
            assert issue.code != "unknown-service", str(issue)
            if issue.code == "retired-service":
                assert issue.severity is Severity.WARNING
                unknown_services.add(issue.message.split("'")[1])
            elif issue.code == "unknown-action":
                unknown_actions.add(issue.message.split("'")[1])
            else:
                assert issue.severity is Severity.WARNING, str(issue)
    assert unknown_services == RETIRED_SERVICES
    assert unknown_actions >= NOT_IAM_ACTIONS
    services_of_unknown = {action.split(":")[0] for action in unknown_actions}
    assert services_of_unknown <= {
        "cloud9",
        "qapps",
        "ssm",
        "s3",
        "route53-recovery-control-config",
        "memorydb",
        "cloudhsm",
        "sagemaker-unified-studio-mcp",
        "securityagent",
        "servicecatalog",
    }


def test_policy_validate_reports_no_error_on_any_policy_aws_publishes(
    corpus: list[tuple[str, str]], tmp_path: Path
) -> None:
    """`sojourn policy validate --kind aws-managed` over every published document, as a user would run it."""
    from typer.testing import CliRunner

    from sojourn.cli.main import app

    files = []
    for name, text in corpus:
        if text.strip():
            path = tmp_path / f"{name}.json"
            path.write_text(json.dumps(json.loads(text)["PolicyVersion"]["Document"], indent=2))
            files.append(str(path))
    assert len(files) == 1523
    result = CliRunner().invoke(
        app, ["policy", "validate", "--kind", "aws-managed", "--format", "json", *files]
    )
    rows = json.loads(result.stdout)
    assert [row for row in rows if row["severity"] == "error"] == []
    assert result.exit_code == 0
    retired = {row["message"].split("'")[1] for row in rows if row["code"] == "retired-service"}
    assert retired == RETIRED_SERVICES
    assert all("aa_code" in row for row in rows)
