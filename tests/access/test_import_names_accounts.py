"""Issue 14: imported rules name accounts where a selector can (unique, literal names); plan stays empty."""

from __future__ import annotations

from datetime import date

import yaml

from sojourn.access.compiler import compile_access
from sojourn.access.config import IdentitySource
from sojourn.access.config_parse import parse_config
from sojourn.access.organization import Account, Organization
from sojourn.access.plan import make_plan
from sojourn.access.render import render_config, usable_account_names
from sojourn.access.state import AccessState, Assignment, PermissionSetSpec, PrincipalType, UserSpec

ORG = Organization(
    (
        Account("111111111111", "team-a-dev", "/dev"),
        Account("222222222222", "team-a-prod", "/prod"),
        Account("333333333333", "shared", "/shared"),
        Account("444444444444", "shared", "/shared"),
        Account("555555555555", "lab[1]", "/dev"),
    )
)


def _state(*assignments: tuple[str, str]) -> AccessState:
    return AccessState(
        permission_sets={"dev": PermissionSetSpec("dev"), "ops": PermissionSetSpec("ops")},
        users={"ann": UserSpec("ann", "Ann"), "bo": UserSpec("bo", "Bo")},
        assignments=frozenset(Assignment(a, ps, PrincipalType.USER, who) for a, (ps, who) in assignments),
    )


def test_only_unique_literal_names_are_usable() -> None:
    usable = usable_account_names((a.id, a.name) for a in ORG.accounts)
    assert usable == {"111111111111": "team-a-dev", "222222222222": "team-a-prod"}


def test_rules_select_by_name_where_every_account_has_one_and_compile_back() -> None:
    state = _state(
        ("111111111111", ("dev", "ann")),
        ("222222222222", ("dev", "ann")),
        ("222222222222", ("ops", "bo")),
        ("333333333333", ("ops", "bo")),
        ("555555555555", ("dev", "bo")),
    )
    names = usable_account_names((a.id, a.name) for a in ORG.accounts)
    files = render_config(
        state,
        identity_source=IdentitySource.IDENTITY_CENTER,
        pinned={"region": "us-east-1"},
        account_names=names,
    )
    rules = {r["name"]: r["where"] for r in yaml.safe_load(files["rules.yaml"])["rules"]}
    assert rules["imported-user-ann-dev"] == {"names": ["team-a-dev", "team-a-prod"]}
    assert rules["imported-user-bo-ops"] == {"ids": ["222222222222", "333333333333"]}  # "shared" is two
    assert rules["imported-user-bo-dev"] == {"ids": ["555555555555"]}  # a name a selector reads as a glob
    result = parse_config(files)
    assert result.config is not None, result.issues
    access = compile_access(result.config, ORG, today=date(2026, 1, 1))
    assert make_plan(access.desired, state).changes == ()
