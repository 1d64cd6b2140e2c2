"""The import-linter contracts in pyproject.toml fail when broken: each probe adds one forbidden import."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tree: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(tree / "src"), "COLUMNS": "240", "NO_COLOR": "1"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *(arg for c in contracts for arg in ("--contract", c))],
        cwd=tree,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package and its contracts that a probe may spoil."""
    shutil.copytree(
        ROOT / "src" / "sojourn", tmp_path / "src" / "sojourn", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    ("contract", "probe", "source", "reported"),
    [
        ("core-pure", "policy/probe.py", "import boto3\n", "sojourn.policy.probe -> boto3"),
        ("core-pure", "workflow/probe.py", "import httpx\n", "sojourn.workflow.probe -> httpx"),
        ("usage-no-io", "usage/probe.py", "from pathlib import Path\n", "sojourn.usage.probe -> pathlib"),
        ("usage-no-io", "usage/probe.py", "import duckdb\n", "sojourn.usage.probe -> duckdb"),
        (
            "edges-thin",
            "cli/probe.py",
            "from sojourn.store import audit\n",
            "sojourn.cli.probe -> sojourn.store.audit",
        ),
        (
            "service-no-edge",
            "service/probe.py",
            "from sojourn.cli import render\n",
            "sojourn.service.probe -> sojourn.cli.render",
        ),
        (
            "adapters-down",
            "notify/probe.py",
            "from sojourn.service import jit\n",
            "sojourn.notify.probe -> sojourn.service.jit",
        ),
        (
            "edges-apart",
            "worker/probe.py",
            "from sojourn.cli import render\n",
            "sojourn.worker.probe -> sojourn.cli.render",
        ),
        (
            "core-layers",
            "catalog/probe.py",
            "from sojourn.policy import parser\n",
            "sojourn.catalog.probe -> sojourn.policy.parser",
        ),
        ("packages-acyclic", "workflow/probe.py", "from sojourn.access import config\n", "No cycles"),
        (
            "service-through-ports",
            "service/probe.py",
            "from sojourn.store import memory\n",
            "sojourn.service.probe -> sojourn.store.memory",
        ),
    ],
    ids=[
        "core-boto3",
        "core-httpx",
        "usage-pathlib",
        "usage-duckdb",
        "edge-store",
        "service-edge",
        "adapter-service",
        "edge-edge",
        "catalog-policy",
        "cycle",
        "service-store",
    ],
)
def test_a_probe_import_breaks_its_contract(
    tree: Path, contract: str, probe: str, source: str, reported: str
) -> None:
    assert lint_imports(tree, contract).returncode == 0, "the copied tree keeps the contract before the probe"
    (tree / "src" / "sojourn" / probe).write_text(source)
    result = lint_imports(tree, contract)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "0 kept, 1 broken" in output
    assert reported in output


def test_an_adapter_may_import_a_port(tree: Path) -> None:
    """Adapters implement the ports, so importing sojourn.service.ports keeps adapters-down."""
    (tree / "src" / "sojourn" / "store" / "probe.py").write_text(
        "from sojourn.service.ports import provider\n"
    )
    result = lint_imports(tree, "adapters-down")
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_ignore_that_no_longer_matches_fails(tree: Path) -> None:
    """Ignored imports are debts: once the import is gone, its ignore line must go too."""
    config = tree / "pyproject.toml"
    text = config.read_text()
    stale = '"sojourn.cli.main -> sojourn.demo.run",'
    assert stale in text
    config.write_text(text.replace(stale, stale + '\n  "sojourn.cli.main -> sojourn.store.audit",'))
    result = lint_imports(tree, "edges-apart")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert re.search(r"No matches for ignored import sojourn\.cli\.main -> sojourn\.store\.audit", output), (
        output
    )
