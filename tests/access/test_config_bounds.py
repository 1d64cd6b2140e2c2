"""Hostile configuration: bombs, depth, size, bad values. Each is one issue with file:line, found fast."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from datetime import timedelta

import pytest

from sojourn.access.config_model import span_minutes
from sojourn.access.config_parse import parse_config
from sojourn.access.yaml_source import MAX_ALIAS_EXPANSION, MAX_CONFIG_CHARACTERS, MAX_DEPTH
from sojourn.workflow.opening import Ask, NotEligible, _check

ALIAS_BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{name}: &{name} [{','.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)
BILLION_LAUGHS = 'l0: &l0 "lol"\n' + "".join(
    f"l{n}: &l{n} [{','.join([f'*l{n - 1}'] * 10)}]\n" for n in range(1, 10)
)
BASE = """\
permission_sets:
  - name: admin
    managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
people:
  - {user_name: alice}
teams:
  - name: ops
    members: [alice]
"""


def issues(text: str) -> list[str]:
    started = time.monotonic()
    found = [str(issue) for issue in parse_config({"a.yaml": text}).issues]
    assert time.monotonic() - started < 5
    return found


def eligibility(**fields: str) -> str:
    extra = "".join(f"    {key}: {value}\n" for key, value in fields.items())
    return BASE + (
        "eligibility:\n  - name: prod\n    who: {teams: [ops]}\n    permission_set: admin\n"
        "    where: {all: true}\n    approvers: {teams: [ops]}\n" + extra
    )


def test_an_alias_bomb_is_one_issue_at_its_anchor() -> None:
    assert len(ALIAS_BOMB) < 330
    [issue] = issues(ALIAS_BOMB)
    assert issue.startswith("a.yaml:1:")
    assert f"more than {MAX_ALIAS_EXPANSION:,} copied values" in issue


def test_billion_laughs_is_one_issue() -> None:
    [issue] = issues(BILLION_LAUGHS)
    assert issue.startswith("a.yaml:1:") and "aliases repeat" in issue


def test_aliases_within_the_budget_still_work() -> None:
    text = BASE.replace("members: [alice]", "members: &crew [alice]") + (
        "  - name: night\n    members: *crew\n"
    )
    assert issues(text) == []


def test_a_recursive_alias_is_one_issue() -> None:
    assert issues("people: &a [*a]\n") == [
        "a.yaml:1:9: people[0]: this anchor's value contains an alias to itself, which never ends; "
        "remove that alias"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "people: " + "[" * 10_000 + "]" * 10_000 + "\n",
        "people:\n" + "".join("  " * i + "- \n" for i in range(1, 200)),
    ],
)
def test_nesting_10000_deep_is_one_issue(text: str) -> None:
    [issue] = issues(text)
    assert f"nested more than {MAX_DEPTH} levels deep" in issue and issue.startswith("a.yaml:")


def test_a_file_past_the_size_limit_is_refused_unparsed() -> None:
    [issue] = issues("people:\n" + "- user_name: someone\n" * (MAX_CONFIG_CHARACTERS // 21 + 1))
    assert issue.startswith("a.yaml:1:1:") and "split it into several files" in issue


@pytest.mark.parametrize(
    "day, why",
    [("2026-13-45", "month must be in 1..12"), ("2026-02-30", "day is out of range for month")],
)
def test_an_impossible_date_is_one_issue_on_its_line(day: str, why: str) -> None:
    text = BASE.replace("members: [alice]", f"members:\n      - {{person: alice, until: {day}}}")
    [issue] = issues(text)
    assert issue.startswith("a.yaml:9:32: teams[0].members[0].until:")
    assert why in issue and "write it as YYYY-MM-DD" in issue


def test_a_5000_digit_number_is_one_issue() -> None:
    [issue] = issues(BASE + "settings: {region: " + "9" * 5000 + "}\n")
    assert issue.startswith("a.yaml:9:20: settings.region:") and "write a smaller one" in issue


def test_a_nul_character_is_one_issue_with_its_place() -> None:
    assert issues("people:\n  - {user_name: a\x00b}\n") == [
        "a.yaml:2:18: character U+0000 is not allowed in YAML text; remove it"
    ]


@pytest.mark.parametrize("field", ["max_duration", "answer_within"])
def test_a_duration_of_99999999999999_days_is_one_issue(field: str) -> None:
    [issue] = issues(eligibility(**{field: "99999999999999d"}))
    assert issue.startswith("a.yaml:15:") and f"eligibility[0].{field}" in issue
    assert "'99999999999999d' is longer than 366d; give at most 366d" in issue


def test_a_long_duration_within_the_limit_is_read() -> None:
    result = parse_config({"a.yaml": eligibility(max_duration="366d")})
    assert result.ok and result.config is not None
    assert result.config.eligibility[0].terms.max_duration == timedelta(days=366)


def test_a_ticket_pattern_re2_cannot_run_is_an_issue_at_load() -> None:
    [issue] = issues(eligibility(ticket_pattern="'(?=JIRA)\\w+'"))
    assert issue.startswith("a.yaml:15:") and "eligibility[0].ticket_pattern" in issue
    assert "no back-references or look-around" in issue


def test_a_catastrophic_ticket_pattern_is_matched_in_linear_time() -> None:
    result = parse_config({"a.yaml": eligibility(ticket_pattern="'(a+)+$'")})
    assert result.ok and result.config is not None
    terms = result.config.eligibility[0].terms
    ask = Ask("alice", "admin", ("111111111111",), timedelta(hours=1), "reason", "a" * 100_000 + "!")
    started = time.monotonic()
    with pytest.raises(NotEligible, match="does not match"):
        _check(ask, terms)
    assert time.monotonic() - started < 1


def test_an_on_call_person_pattern_re2_cannot_run_is_an_issue_at_load() -> None:
    text = BASE + (
        "on_call:\n  - name: pager\n    permission_set: admin\n    where: {all: true}\n"
        "    ics_url: https://example.com/a.ics\n    person_pattern: '(?P<person>\\w+)\\1'\n"
    )
    [issue] = issues(text)
    assert "on_call[0].person_pattern" in issue and "invalid escape sequence" in issue


BOMBS_IN_A_CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    from sojourn.access.config_parse import parse_config
    results = {}
    for name, text in json.loads(sys.stdin.read()).items():
        started = time.monotonic()
        found = parse_config({name: text}).issues
        results[name] = [time.monotonic() - started, len(found)]
    results["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(results))
    """
)


def test_bombs_stay_within_seconds_and_a_small_memory_in_a_real_process() -> None:
    """A child process under a 1 GiB address-space cap: before the bounds each bomb ran past 60 s and
    600 MB."""
    bombs = {
        "alias.yaml": ALIAS_BOMB,
        "laughs.yaml": BILLION_LAUGHS,
        "recursive.yaml": "people: &a [*a]\n",
        "deep.yaml": "people: " + "[" * 10_000 + "]" * 10_000,
        "list.yaml": "people:\n" + "- user_name: someone\n" * 1_500_000,
    }
    cap = "import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
    child = subprocess.run(
        [sys.executable, "-c", cap + BOMBS_IN_A_CHILD],
        input=json.dumps(bombs),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    results = json.loads(child.stdout)
    for name in bombs:
        seconds, count = results[name]
        assert count == 1, name
        assert seconds < 5, name
    assert results["peak_mb"] < 400


def on_call(**fields: str) -> str:
    extra = "".join(f"    {key}: {value}\n" for key, value in fields.items())
    return BASE + (
        "on_call:\n  - name: pager\n    permission_set: admin\n    where: {all: true}\n    people: [alice]\n"
        + extra
    )


def test_a_rotation_starting_in_year_9999_is_one_issue_not_an_overflow() -> None:
    assert issues(on_call(start="9999-12-31T23:00:00+00:00", length="7d")) == [
        "a.yaml:14:5: on_call[0].start: the year 9999 is outside 1970..2999; give a real date"
    ]


def test_the_latest_year_still_holds_a_366_day_shift() -> None:
    assert issues(on_call(start="2999-12-31T23:00:00+00:00", length="366d")) == []


def test_a_membership_ending_in_year_1_is_one_issue() -> None:
    text = BASE.replace("members: [alice]", "members: [{person: alice, until: 0001-01-01}]")
    assert issues(text) == [
        "a.yaml:8:31: teams[0].members[0].until: the year 1 is outside 1970..2999; give a real date"
    ]


@pytest.mark.parametrize(
    "policy, why",
    [
        ("[" * 3000 + "]" * 3000, "nested more than 64 levels"),
        ('{"Version": ' + "9" * 5000 + "}", "4300 digits"),
    ],
)
def test_an_inline_policy_string_deep_or_with_a_long_number_is_one_issue(policy: str, why: str) -> None:
    text = BASE.replace("managed_policies:", f"inline_policy: '{policy}'\n    managed_policies:")
    [issue] = issues(text)
    assert issue.startswith("a.yaml:3:5: permission_sets[0].inline_policy: inline policy is not valid JSON")
    assert why in issue


@pytest.mark.parametrize("text", ["99999999999999d", "9" * 5000 + "m", "3661d"])
def test_any_duration_is_bounded_to_ten_years_with_a_clear_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"is longer than 3660d; give at most 3660d"):
        span_minutes(text)
    assert span_minutes("3660d") == 3660 * 1440
