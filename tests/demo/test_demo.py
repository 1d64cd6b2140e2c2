"""`sojourn demo`, the README's first command, end to end in a fresh directory; with --keep, moto stays
up afterwards and the printed environment drives the CLI against it until the demo is stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-c", "from sojourn.cli.main import app; app()"]


def test_the_demo_runs_every_part_and_keep_leaves_moto_for_the_cli(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOJOURN_", "AWS_"))} | {"COLUMNS": "200"}
    stderr = (tmp_path / "stderr.txt").open("w")
    demo = subprocess.Popen(
        [*CLI, "demo", "--keep"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    try:
        assert demo.stdout is not None
        lines: list[str] = []
        while not lines or "Ctrl-C stops moto" not in lines[-1]:
            line = demo.stdout.readline()
            assert line, "".join(lines)[-3000:] + (tmp_path / "stderr.txt").read_text()[-3000:]
            lines.append(line)
        out = "".join(lines)
        assert "drift: assignment developer for user mallory" in out
        assert "OK: " in out and "records; head" in out
        assert "refused (alice cannot approve or deny their own request" in out
        assert "alice holds prod-admin in AWS: True" in out
        assert "removed from AWS, live sessions denied: True" in out
        assert "approved by erin" in out
        exports = dict(
            line.strip().removeprefix("export ").split("=", 1)
            for line in lines
            if line.strip().startswith("export ")
        )
        assert set(exports) == {
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION",
            "SOJOURN_AWS_ENDPOINT_URL", "SOJOURN_DATABASE_URL",
        }  # fmt: skip
        env_file = (tmp_path / ".sojourn" / "demo" / "env.sh").read_text()
        assert all(f"export {name}={value}" in env_file for name, value in exports.items())
        config = tmp_path / ".sojourn" / "demo" / "access"
        plan = subprocess.run(
            [*CLI, "plan", "--config", str(config)],
            env=env | exports,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert plan.returncode == 0, plan.stdout + plan.stderr
        assert "No changes." in plan.stdout
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=60) == 0
        assert "moto stopped." in demo.stdout.read()
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        demo.stdout.close() if demo.stdout else None
        stderr.close()
