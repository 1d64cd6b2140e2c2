"""The plan use case reads the configuration before it opens anything, and the edges import no adapter."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

import sojourn
from sojourn.access.issues import ConfigInvalid
from sojourn.catalog import load_catalog
from sojourn.service.config_plans import ConfigUnreadable, plan_config

SRC = Path(sojourn.__file__).parent


def untouchable(*_: object) -> object:
    raise AssertionError("opened before the configuration was read")


def test_an_unreadable_configuration_opens_neither_gateway_nor_store(tmp_path: Path) -> None:
    with pytest.raises(ConfigUnreadable):
        plan_config(
            tmp_path / "missing",
            untouchable,  # type: ignore[arg-type]
            untouchable,  # type: ignore[arg-type]
            today=date(2026, 3, 1),
            drift=None,
            catalog=load_catalog(),
        )


def test_an_invalid_configuration_names_its_problems_before_any_gateway(tmp_path: Path) -> None:
    (tmp_path / "access.yaml").write_text("settings: {region: eu-west-1}\npeople: 3\n")
    with pytest.raises(ConfigInvalid) as invalid:
        plan_config(
            tmp_path,
            untouchable,  # type: ignore[arg-type]
            untouchable,  # type: ignore[arg-type]
            today=date(2026, 3, 1),
            drift=None,
            catalog=load_catalog(),
        )
    assert invalid.value.issues


def imported_modules(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted((SRC / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[str(path.relative_to(SRC))] = names
    return found


@pytest.mark.parametrize("edge", ["api", "cli"])
def test_the_api_and_the_cli_import_no_store(edge: str) -> None:
    offenders = {
        module: sorted(n for n in names if n == "sojourn.store" or n.startswith("sojourn.store."))
        for module, names in imported_modules(edge).items()
    }
    allowed_for_now = {"cli/jit_cmd.py"}  # jit-wiring's, moving RequestNotFound to the grants port
    assert {m: n for m, n in offenders.items() if n and m not in allowed_for_now} == {}


def test_analysis_commands_load_no_catalogue_and_read_no_clock() -> None:
    for module in ("cli/graph_cmd.py", "cli/policy_cmd.py", "cli/policy_analyse_cmd.py", "cli/main.py"):
        text = (SRC / module).read_text()
        assert "load_catalog" not in text and "datetime.now" not in text, module
