"""The pace learnt from AWS's answers: a call rate and a window of outstanding operations (AIMD)."""

from __future__ import annotations

import threading

from sojourn.aws.pacing import AdaptiveRate, OutstandingWindow, Pacing


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_calls_are_spaced_at_the_rate_after_the_burst_credit() -> None:
    time = FakeTime()
    rate = AdaptiveRate(20.0, burst=0.5, clock=time.clock, sleep=time.sleep)
    for _ in range(30):
        rate.acquire()
    # half a second of credit: 11 calls at once (now and the ten slots before it), then one every 50 ms
    assert len(time.slept) == 19
    assert abs((time.now - 100.0) - 19 * 0.05) < 1e-9


def test_a_throttle_cuts_the_rate_and_successes_bring_it_back_to_the_ceiling() -> None:
    rate = AdaptiveRate(20.0)
    rate.throttled()
    assert rate.rate == 14.0
    rate.throttled()
    assert abs(rate.rate - 9.8) < 1e-9
    for _ in range(2000):
        rate.succeeded()
    assert rate.rate == 20.0


def test_the_window_blocks_beyond_its_limit_halves_on_a_throttle_and_grows_back() -> None:
    window = OutstandingWindow(4)
    for _ in range(4):
        window.acquire()
    blocked = threading.Thread(target=window.acquire)
    blocked.start()
    blocked.join(0.2)
    assert blocked.is_alive()  # a fifth waits for a place
    window.release()
    blocked.join(2)
    assert not blocked.is_alive() and window.in_use == 4 and window.peak == 4
    window.throttled()
    assert window.limit == 2
    for _ in range(4):
        window.release()
    assert window.limit == 3  # one more after a window's worth went through


def test_pacing_slows_the_throttled_service_and_the_window_only_for_assignment_operations() -> None:
    sso, window = AdaptiveRate(20.0), OutstandingWindow(10)
    pacing = Pacing({"sso-admin": sso}, window)
    pacing.answered("sso-admin", "list_instances", "ThrottlingException")
    assert sso.rate == 14.0 and window.limit == 10
    pacing.answered("sso-admin", "create_account_assignment", "ThrottlingException")
    assert window.limit == 5
    pacing.answered("identitystore", "get_user_id", "ThrottlingException")  # not paced: nothing moves
    pacing.answered("sso-admin", "list_instances", "AccessDeniedException")
    assert abs(sso.rate - 9.8) < 1e-9
