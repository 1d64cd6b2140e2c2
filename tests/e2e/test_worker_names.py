"""Two real worker processes started with the same --name: the second is refused with a one-line error and
a hint while the first keeps running; once the first is killed, a restarted one takes its name at once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select

from sojourn.store.engine import create_store_engine
from sojourn.store.tables import worker_registrations
from tests.e2e.jit_fixtures import Jit, jit  # noqa: F401 - fixture

OWNER = f"{socket.gethostname()}:same"


@contextmanager
def worker(j: Jit) -> Iterator[subprocess.Popen[str]]:
    env = {
        **os.environ,
        "SOJOURN_DATABASE_URL": j.sojourn.database_url,
        "SOJOURN_AWS_ENDPOINT_URL": j.sojourn.endpoint,
    }
    command = [sys.executable, "-c", "from sojourn.cli.main import app; app()", "worker", "--name", "same"]
    process = subprocess.Popen(
        [*command, "--interval", "0.2", "--config", str(j.sojourn.config)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        process.kill()
        process.wait(10)


def registered_pid(j: Jit) -> int | None:
    engine = create_store_engine(j.sojourn.database_url)  # the test reads the table; the store hides it
    try:
        with engine.connect() as connection:
            query = select(worker_registrations.c.pid).where(worker_registrations.c.owner == OWNER)
            return connection.execute(query).scalar()
    finally:
        engine.dispose()


def wait_registered(j: Jit, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while registered_pid(j) != process.pid:
        assert process.poll() is None and time.monotonic() < deadline, process.stderr
        time.sleep(0.1)


def test_a_second_worker_of_the_same_name_is_refused_and_a_restarted_one_is_not(jit: Jit) -> None:  # noqa: F811
    with worker(jit) as first:
        wait_registered(jit, first)
        with worker(jit) as second:
            assert second.wait(60) == 1
            assert second.stderr is not None
            lines = second.stderr.read().splitlines()
        assert lines == [
            f"error: worker {OWNER} is already running (process {first.pid} on this machine)",
            "  hint: stop that worker first, or give this one another --name"
            " (each running worker needs its own)",
        ]
        assert first.poll() is None  # the first one runs on, untouched
        first.send_signal(signal.SIGKILL)  # a crash: its name is never released
        first.wait(10)
        with worker(jit) as restarted:
            wait_registered(jit, restarted)  # its predecessor's process is gone: taken over, no refusal
            assert restarted.poll() is None
            restarted.send_signal(signal.SIGINT)  # stopped by the operator: the name is let go
            restarted.wait(30)
    assert registered_pid(jit) is None
