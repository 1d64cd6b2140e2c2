"""The first line of a plan on screen agrees with the plan: no "AWS matches the configuration" while drift
is being kept, and the count of what is kept."""

from __future__ import annotations

from rich.console import Console

from sojourn.access.plan import DriftItem, Plan
from sojourn.cli.render import show_plan


def shown(plan: Plan) -> str:
    console = Console(record=True, width=200)
    show_plan(console, plan, {}, 3, "principal")
    return console.export_text()


def plan(*drift: DriftItem) -> Plan:
    return Plan((), drift, {}, "base")


def test_an_empty_plan_without_drift_says_aws_matches() -> None:
    assert shown(plan()).startswith("No changes. AWS matches the configuration.")


def test_drift_kept_under_report_is_not_called_a_match() -> None:
    kept = DriftItem("assignment read-only for user mallory on team-b-dev exists in AWS", removed=False)
    text = shown(plan(kept, DriftItem("group ops exists in AWS", removed=False)))
    assert "matches" not in text
    assert text.startswith(
        "No changes. AWS differs from the configuration in 2 places, kept because of drift"
    )
    assert "drift: assignment read-only for user mallory on team-b-dev exists in AWS; kept" in text
