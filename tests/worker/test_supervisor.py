"""`sojourn serve`'s worker thread: started again whenever it ends, and /health answering 503 while the
worker is not ticking (a load balancer's signal), 200 again once it ticks."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from fastapi.testclient import TestClient

from sojourn.api.app import create_app
from sojourn.worker.supervisor import Supervisor, WorkerPulse
from tests.api.test_api_hardening import bare_context


def wait_for(client: TestClient, status: int, seconds: float) -> dict[str, str]:
    deadline = time.monotonic() + seconds
    while True:
        answer = client.get("/health")
        if answer.status_code == status or time.monotonic() > deadline:
            assert answer.status_code == status, answer.text
            body: dict[str, str] = answer.json()
            return body
        time.sleep(0.05)


def test_a_dead_worker_thread_is_unhealthy_until_started_again_and_ticking() -> None:
    pulse = WorkerPulse(stale_after=0.3)
    calls = []

    def work(stop: threading.Event) -> None:
        calls.append(time.monotonic())
        if len(calls) <= 2:
            raise RuntimeError("AWS did not answer: could not connect to the endpoint URL")
        while not stop.wait(0.05):
            pulse.beat()

    supervisor = Supervisor(work, pulse, pauses=(0.6,))
    with TestClient(create_app(replace(bare_context(), worker_health=pulse.problem))) as client:
        supervisor.start()
        try:
            sick = wait_for(client, 503, 3)
            assert sick["status"] == "unhealthy"
            assert "has not ticked yet" in sick["worker"] and "could not connect" in sick["worker"]
            assert wait_for(client, 200, 5) == {"status": "ok", "worker": "ticking"}
        finally:
            supervisor.stop(5)
    assert len(calls) == 3 and pulse.restarts == 2
    assert supervisor.thread is not None and not supervisor.thread.is_alive()


def test_a_worker_that_stops_ticking_is_unhealthy_and_healthy_again_when_it_ticks() -> None:
    now = [0.0]
    pulse = WorkerPulse(stale_after=5, now=lambda: now[0])
    pulse.beat()
    now[0] = 5.0
    assert pulse.problem() is None
    now[0] = 5.5
    problem = pulse.problem()
    assert problem is not None and "has not ticked for 6s" in problem
    pulse.beat()
    assert pulse.problem() is None


def test_without_a_worker_beside_it_health_is_the_api_alone() -> None:
    with TestClient(create_app(bare_context())) as client:
        answer = client.get("/health")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}
