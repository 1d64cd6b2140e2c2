"""Configuration edits that keep every other line as written: keys of one entry, entries added and removed."""

from __future__ import annotations

import pytest
import yaml

from sojourn.access.config_edit import (
    ConfigEditRefused,
    find_entry,
    insert_entry,
    remove_entry,
    set_entry_keys,
    unified_patch,
)

TEXT = """\
# permission sets of the platform team
permission_sets:
  - name: app
    description: The app   # kept
    managed_policies:
      - arn:aws:iam::aws:policy/PowerUserAccess
    inline_policy: {Version: "2012-10-17", Statement: [{Effect: Deny, Action: "iam:*", Resource: "*"}]}
    supersedes: [read-only]

  # the last one
  - name: read-only
    managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
rules:
  - {name: flow, who: {teams: [a]}, where: {own: true}, what: [app]}
  - name: block
    who: {teams: [a]}
    where: {own: true}
    what: [app, read-only]
"""
NEW = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}],
}


def test_setting_keys_changes_those_lines_only() -> None:
    edited = set_entry_keys(
        TEXT, "f", "permission_sets", "app", {"managed_policies": None, "inline_policy": NEW}
    )
    app = yaml.safe_load(edited)["permission_sets"][0]
    assert app == {
        "name": "app",
        "description": "The app",
        "inline_policy": NEW,
        "supersedes": ["read-only"],
    }
    patch = unified_patch({"f": TEXT}, {"f": edited})
    removed = [ln for ln in patch.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    assert removed == [
        "-    managed_policies:",
        "-      - arn:aws:iam::aws:policy/PowerUserAccess",
        "-" + TEXT.splitlines()[6],
    ]
    assert "description: The app   # kept" in edited and "  # the last one" in edited


def test_a_missing_key_is_added_at_the_end_of_its_entry() -> None:
    edited = set_entry_keys(TEXT, "f", "permission_sets", "read-only", {"inline_policy": NEW})
    loaded = yaml.safe_load(edited)
    assert loaded["permission_sets"][1]["inline_policy"] == NEW
    assert loaded["rules"] == yaml.safe_load(TEXT)["rules"]


def test_an_entry_in_flow_style_is_refused_with_its_line() -> None:
    with pytest.raises(ConfigEditRefused, match=r"f:14: .*block style"):
        find_entry({"f": TEXT}, "rules", "flow")
    with pytest.raises(ConfigEditRefused, match="no rules entry named 'nope'"):
        find_entry({"f": TEXT}, "rules", "nope")


def test_removing_and_inserting_entries() -> None:
    place = find_entry({"f": TEXT}, "rules", "block")
    without = remove_entry(TEXT, place)
    assert [r["name"] for r in yaml.safe_load(without)["rules"]] == ["flow"]
    added = insert_entry(
        without, "eligibility", {"name": "e", "who": {"teams": ["a"]}, "permission_set": "app"}
    )
    assert yaml.safe_load(added)["eligibility"] == [
        {"name": "e", "who": {"teams": ["a"]}, "permission_set": "app"}
    ]
    appended = insert_entry(TEXT, "rules", {"name": "later", "what": ["app"]})
    assert [r["name"] for r in yaml.safe_load(appended)["rules"]] == ["flow", "block", "later"]
    assert "    what:\n      - app\n" in appended  # lists indented under their key, as people write them
