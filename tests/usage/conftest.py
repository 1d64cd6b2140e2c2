"""The catalogue and the shipped event rules, loaded once for the usage tests."""

from __future__ import annotations

import pytest

from sojourn.activity.rules_file import load_event_rules
from sojourn.catalog import ActionCatalog, load_catalog
from sojourn.usage.rules import EventRules


@pytest.fixture(scope="session")
def catalog() -> ActionCatalog:
    return load_catalog()


@pytest.fixture(scope="session")
def rules() -> EventRules:
    return load_event_rules()
