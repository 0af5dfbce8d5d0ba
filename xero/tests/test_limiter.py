"""The limiter's rules, on a simulated clock (no network: this is pure scheduling)."""

import threading
import time

import pytest

from xero.errors import XeroRateLimited
from xero.limiter import BATCH, INTERACTIVE, RateLimiter


class FakeClock:
    def __init__(self):
        self.t = 1_800_000_000.0
        self.sleeps = []

    def now(self):
        return self.t

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.t += seconds


def make(**kw):
    clock = FakeClock()
    return RateLimiter(clock=clock.now, sleep=clock.sleep, **kw), clock


def test_burst_stays_under_the_minute_limit_with_short_sleeps():
    limiter, clock = make()
    starts = []
    for _ in range(300):
        with limiter.slot("t1"):
            starts.append(clock.t)
            clock.t += 0.05  # the call itself
    for i, start in enumerate(starts):
        in_window = [s for s in starts[i:] if s < start + 60]
        assert len(in_window) <= 58
    assert max(clock.sleeps) <= 5
    per_minute = 300 / ((starts[-1] - starts[0]) / 60)
    print(
        f"\nsimulated burst of 300: {per_minute:.1f} calls/min, longest sleep "
        f"{max(clock.sleeps):.2f}s"
    )
    assert per_minute > 45


def test_tenants_are_independent():
    limiter, clock = make()
    for _ in range(10):
        with limiter.slot("t1"):
            pass
    with limiter.slot("t2"):
        pass
    assert clock.sleeps == []


def test_429_block_raises_when_longer_than_max_sleep_and_waits_when_short():
    limiter, clock = make(max_sleep=5)
    limiter.blocked("t1", 60, "minute")
    with pytest.raises(XeroRateLimited) as err, limiter.slot("t1"):
        pass
    assert err.value.problem == "minute"
    assert abs(err.value.retry_at.timestamp() - (clock.t + 60)) < 1
    assert "retrying at" in err.value.user_message()
    limiter.blocked("t2", 2, "minute")
    with limiter.slot("t2"):
        pass
    assert clock.sleeps == [pytest.approx(2)]


def test_header_minute_remaining_slows_down_before_xero_refuses():
    limiter, clock = make()
    with limiter.slot("t1") as call:
        call.observe({"X-MinLimit-Remaining": "1", "X-DayLimit-Remaining": "4000"})
    with pytest.raises(XeroRateLimited) as err, limiter.slot("t1"):
        pass
    assert err.value.problem == "minute"
    clock.t += 61
    with limiter.slot("t1"):
        pass


def test_daily_headroom_is_kept_for_interactive_calls():
    limiter, clock = make(batch_reserve=0.10)
    with limiter.slot("t1", BATCH) as call:
        call.observe({"x-daylimit-remaining": "4999"})  # the day's allowance: 5,000
    with limiter.slot("t1", BATCH) as call:
        call.observe({"x-daylimit-remaining": "500"})
    with pytest.raises(XeroRateLimited) as err, limiter.slot("t1", BATCH):
        pass
    assert err.value.problem == "day" and err.value.retry_at.timestamp() > clock.t
    with limiter.slot("t1", INTERACTIVE) as call:
        call.observe({"x-daylimit-remaining": "0"})
    with pytest.raises(XeroRateLimited), limiter.slot("t1", INTERACTIVE):
        pass


def test_concurrency_is_capped_per_tenant():
    limiter = RateLimiter(concurrent_limit=5, max_sleep=0.3)
    inside, release = threading.Barrier(6), threading.Event()

    def hold():
        with limiter.slot("t1"):
            inside.wait()
            release.wait(5)

    threads = [threading.Thread(target=hold) for _ in range(5)]
    for t in threads:
        t.start()
    inside.wait()
    start = time.monotonic()
    with pytest.raises(XeroRateLimited) as err, limiter.slot("t1"):
        pass
    assert err.value.problem == "concurrent"
    assert time.monotonic() - start < 1
    release.set()
    for t in threads:
        t.join()
    with limiter.slot("t1"):
        pass


def test_the_daily_reserve_is_a_share_of_what_xero_reports_not_of_5000():
    """A Starter-tier app gets 1,000 calls a day: batch calls keep the last 100 for
    users (not half the day, as a reserve computed on 5,000 would)."""
    limiter, clock = make(batch_reserve=0.10)
    with limiter.slot("t1") as call:
        call.observe({"X-DayLimit-Remaining": "999"})
    with limiter.slot("t1", BATCH) as call:
        call.observe({"X-DayLimit-Remaining": "300"})
    with limiter.slot("t1", BATCH) as call:  # 300 left: batch work goes on
        call.observe({"X-DayLimit-Remaining": "101"})
    with limiter.slot("t1", BATCH) as call:
        call.observe({"X-DayLimit-Remaining": "100"})
    with pytest.raises(XeroRateLimited) as err, limiter.slot("t1", BATCH):
        pass
    assert err.value.problem == "day" and "kept for users" in err.value.user_message()
    with limiter.slot("t1", INTERACTIVE) as call:
        call.observe({"X-DayLimit-Remaining": "99"})
    clock.t += 3600  # a reading is trusted an hour: then the next answer tells again
    with limiter.slot("t1", BATCH):
        pass
