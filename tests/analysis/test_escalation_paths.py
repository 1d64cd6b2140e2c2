"""Each shared escalation path is flagged for exactly its permissions, and cleared by each defence."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sojourn.analysis.escalation import EscalationPath, find_escalations, paths_from_documents, probe_resource
from sojourn.catalog import ActionCatalog, load_catalog
from sojourn.policy import PolicyKind, PolicySet, parse_policy_document
from sojourn.policy.model import Policy

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "escalation-paths"
PATHS = paths_from_documents(yaml.safe_load(p.read_text()) for p in sorted(DATA.glob("*.yaml")))
ACCOUNT = "111122223333"
PRINCIPAL = f"arn:aws:iam::{ACCOUNT}:user/mallory"


@pytest.fixture(scope="module")
def catalog() -> ActionCatalog:
    return load_catalog()


def identity(*statements: dict) -> PolicySet:
    result = parse_policy_document(
        {"Version": "2012-10-17", "Statement": list(statements)}, kind=PolicyKind.IDENTITY
    )
    assert result.policy is not None
    policy: Policy = result.policy
    return PolicySet(identity=(policy,))


def flagged(policies: PolicySet, catalog: ActionCatalog) -> set[str]:
    return {f.path.id for f in find_escalations(PRINCIPAL, ACCOUNT, policies, PATHS, catalog)}


def test_all_35_paths_are_loaded() -> None:
    assert len(PATHS) == 35


@pytest.mark.parametrize("path", PATHS, ids=[p.id for p in PATHS])
def test_exact_permissions_flag_the_path(path: EscalationPath, catalog: ActionCatalog) -> None:
    assert path.id in flagged(
        identity({"Effect": "Allow", "Action": list(path.required), "Resource": "*"}), catalog
    )


@pytest.mark.parametrize("path", PATHS, ids=[p.id for p in PATHS])
def test_each_defence_clears_the_path(path: EscalationPath, catalog: ActionCatalog) -> None:
    grant = {"Effect": "Allow", "Action": list(path.required), "Resource": "*"}
    for missing in path.required:
        rest = [a for a in path.required if a != missing]
        assert path.id not in flagged(
            identity({"Effect": "Allow", "Action": rest or ["s3:ListAllMyBuckets"], "Resource": "*"}), catalog
        ), f"still flagged without {missing}"
    denied = identity(grant, {"Effect": "Deny", "Action": path.required[-1], "Resource": "*"})
    assert path.id not in flagged(denied, catalog)
    constrainable = [a for a in path.required if probe_resource(a, catalog, ACCOUNT) != "*"]
    if constrainable:
        harmless = f"arn:aws:iam::{ACCOUNT}:role/harmless"
        narrowed = identity(
            {
                "Effect": "Allow",
                "Action": [a for a in path.required if a not in constrainable],
                "Resource": "*",
            },
            {"Effect": "Allow", "Action": constrainable, "Resource": harmless},
        )
        assert path.id not in flagged(narrowed, catalog)


def test_passrole_limited_to_one_harmless_role_is_not_an_escalation(catalog: ActionCatalog) -> None:
    policies = identity(
        {"Effect": "Allow", "Action": ["lambda:CreateFunction", "glue:CreateDevEndpoint"], "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": f"arn:aws:iam::{ACCOUNT}:role/glue-readonly",
        },
    )
    assert "glue-001" not in flagged(policies, catalog)


def test_split_across_two_policies_is_still_one_path(catalog: ActionCatalog) -> None:
    first = parse_policy_document(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*"}],
        }
    ).policy
    second = parse_policy_document(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iam:DeleteAccessKey", "Resource": "*"}],
        }
    ).policy
    assert first is not None and second is not None
    assert "iam-003" in flagged(PolicySet(identity=(first, second)), catalog)
