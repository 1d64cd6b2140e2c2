"""Issue 14: a configuration's problems arrive in one run, not in stages (schema, names, accounts)."""

from __future__ import annotations

from sojourn.access.compiler import selector_issues
from sojourn.access.config_parse import parse_config
from sojourn.access.organization import Account, Organization

BAD = """
people:
  - {user_name: alice, display_name: A}
  - {user_name: alice, display_name: B}
  - {user_name: bob, display_nam: typo}
teams:
  - {name: t, members: [zed, bob]}
rules:
  - {name: r, who: {teams: [t]}, where: {names: [nope]}, what: [missing]}
"""


def test_a_schema_error_does_not_hide_the_cross_checks() -> None:
    result = parse_config({"a.yaml": BAD})
    messages = [issue.message for issue in result.issues]
    assert result.config is None
    assert any("unknown field" in m for m in messages)
    assert any("duplicate person 'alice'" in m for m in messages)
    assert any("unknown person 'zed'" in m for m in messages)
    assert any("unknown permission set 'missing'" in m for m in messages)
    assert not any("'bob'" in m for m in messages)  # dropped for its own typo, not reported twice
    assert result.partial is not None


def test_the_selectors_of_a_configuration_with_issues_are_checked_against_the_organisation() -> None:
    result = parse_config({"a.yaml": BAD})
    assert result.partial is not None
    organisation = Organization((Account("111111111111", "team-a-dev", "/dev"),))
    (issue,) = selector_issues(result.partial, organisation)
    assert "unknown account name 'nope'" in issue.message and issue.line == 9
