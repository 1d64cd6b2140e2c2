"""`sojourn demo`, the README's first command, end to end in a fresh directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_demo_runs_every_part_and_exits_zero(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOJOURN_")} | {"COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-c", "from sojourn.cli.main import app; app()", "demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "drift: assignment developer for user mallory" in out
    assert "OK: " in out and "records; head" in out
    assert "refused (alice cannot approve or deny their own request" in out
    assert "alice holds prod-admin in AWS: True" in out
    assert "removed from AWS, live sessions denied: True" in out
    assert "approved by erin" in out
