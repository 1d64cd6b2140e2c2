from __future__ import annotations

import pytest

from sojourn.catalog import ActionCatalog, load_catalog


@pytest.fixture(scope="session")
def catalog() -> ActionCatalog:
    return load_catalog()
