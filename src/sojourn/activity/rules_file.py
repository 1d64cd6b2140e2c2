"""Read the event rules shipped with Sojourn (usage/data/event_actions.json)."""

from __future__ import annotations

import json
from importlib import resources

from sojourn.usage.rules import EventRules, parse_event_rules


def event_rules_text() -> str:
    return (resources.files("sojourn.usage") / "data" / "event_actions.json").read_text(encoding="utf-8")


def load_event_rules() -> EventRules:
    return parse_event_rules(json.loads(event_rules_text()))
