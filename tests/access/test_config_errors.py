"""Every kind of bad configuration is reported with file, line, column and field, all at once."""

from __future__ import annotations

from sojourn.access.config_parse import parse_config

BASE = """\
permission_sets:
  - name: developer
    managed_policies: [arn:aws:iam::aws:policy/PowerUserAccess]
people:
  - {user_name: alice}
teams:
  - name: team-a
    members: [alice]
"""


def issues(**files: str) -> list[str]:
    return [str(i) for i in parse_config(files).issues]


def test_valid_configuration_has_no_issues() -> None:
    result = parse_config({"a.yaml": BASE})
    assert result.ok and result.config is not None
    assert result.config.people["alice"].given_name == "alice"


def test_malformed_yaml_names_line_and_column() -> None:
    assert issues(**{"a.yaml": "people:\n  - {user_name: alice\n"}) == [
        "a.yaml:3:1: malformed YAML: did not find expected ',' or '}'; fix the syntax at this place"
    ]


def test_unknown_field_is_located() -> None:
    found = issues(
        **{
            "a.yaml": BASE + "rules:\n  - name: r\n    who: {teams: [team-a]}\n    wher: {all: true}\n"
            "    what: [developer]\n"
        }
    )
    assert (
        "a.yaml:12:5: rules[0].wher: unknown field; check the spelling against docs/configuration.md" in found
    )
    assert "a.yaml:10:5: rules[0].where: required field is missing" in found


def test_unknown_references_each_reported_where_they_are_written() -> None:
    rules = (
        "rules:\n  - name: r\n    who: {teams: [team-x], people: [zed]}\n    where: {all: true}\n"
        "    what: [developer, admin]\n"
    )
    found = issues(**{"a.yaml": BASE, "b.yaml": rules})
    assert (
        "b.yaml:3:19: rules[0].who.teams[0]: unknown team 'team-x'; declare it under teams or fix the name"
        in found
    )
    assert any(f.startswith("b.yaml:3:37: rules[0].who.people[0]: unknown person 'zed'") for f in found)
    assert any(f.startswith("b.yaml:5:23: rules[0].what[1]: unknown permission set 'admin'") for f in found)


def test_duplicates_across_files_name_the_first_place() -> None:
    found = issues(**{"a.yaml": BASE, "b.yaml": "people:\n  - {user_name: alice}\n"})
    assert found == [
        "b.yaml:2:6: people[0].user_name: duplicate person 'alice', first declared at a.yaml:5; "
        "keep one of them"
    ]


def test_duplicate_key_in_one_mapping() -> None:
    assert issues(**{"a.yaml": "people: []\npeople: []\n"}) == [
        "a.yaml:2:1: key 'people' appears twice in one mapping; keep one"
    ]


def test_inline_policy_that_is_not_json() -> None:
    text = 'permission_sets:\n  - name: p\n    inline_policy: \'{"Version": "2012-10-17",\'\n'
    found = issues(**{"a.yaml": text})
    assert len(found) == 1
    assert found[0].startswith(
        "a.yaml:3:5: permission_sets[0].inline_policy: inline policy is not valid JSON"
    )


def test_inline_policy_without_effect() -> None:
    text = "permission_sets:\n  - name: p\n    inline_policy: {Statement: [{Action: '*', Resource: '*'}]}\n"
    assert issues(**{"a.yaml": text}) == [
        'a.yaml:3:5: permission_sets[0].inline_policy: Statement[0].Effect must be "Allow" or "Deny"'
    ]


def test_bad_values_are_explained() -> None:
    text = (
        "permission_sets:\n  - name: p\n    session_duration: PT13H\n"
        "    managed_policies: [arn:aws:iam::123456789012:policy/mine]\n"
    )
    found = issues(**{"a.yaml": text})
    assert (
        "a.yaml:3:5: permission_sets[0].session_duration: 'PT13H' must be an ISO-8601 duration between PT1H "
        "and PT12H, e.g. PT4H" in found
    )
    assert any(
        f.startswith("a.yaml:4:5: permission_sets[0].managed_policies:")
        and "not an AWS managed policy ARN" in f
        for f in found
    )


def test_dated_membership_backwards() -> None:
    text = BASE.replace("members: [alice]", "members: [{person: alice, from: 2026-05-01, until: 2026-04-01}]")
    assert issues(**{"a.yaml": text}) == [
        "a.yaml:8:15: teams[0].members[0]: 'until' is before 'from'; swap them"
    ]


def test_no_files_at_all() -> None:
    assert "no configuration files found" in issues()[0]
