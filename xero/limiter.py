"""Per-organisation rate limiter: stay under Xero's limits instead of hitting 429.

Xero allows, per app and organisation, 60 calls a minute, 5 at a time and 5,000 a day
(1,000 on the Starter tier). This limiter:

- paces calls with a token bucket (``burst`` at once, then a steady rate) capped by a
  sliding 60 s window, so at most ``minute_limit - margin`` calls start in any minute;
- lets at most ``concurrent_limit`` calls run at once per organisation;
- reads X-MinLimit-Remaining / X-DayLimit-Remaining from every answer, so other
  workers' calls (which this process cannot see) slow us down too;
- keeps the last ``batch_reserve`` of the daily allowance for interactive actions:
  'batch' calls stop there with ``XeroRateLimited`` until the next UTC day;
- never sleeps more than ``max_sleep`` seconds in one call: beyond that it raises
  ``XeroRateLimited(retry_at)`` so a cron can reschedule instead of blocking a worker.

State is process-local and shared by the threads of the process (Odoo workers each
have their own; the response headers keep them honest). The clock and sleep are
injectable; ``time_scale`` runs them faster than real time for tests.
"""

import math
import threading
import time
from collections import deque
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from .errors import XeroRateLimited

INTERACTIVE = "interactive"
BATCH = "batch"
WINDOW = 60.0


class ScaledClock:
    """Wall-clock time running ``time_scale`` times faster than real time."""

    def __init__(self, time_scale=1.0, start=None):
        self.time_scale = float(time_scale)
        self._start = time.time() if start is None else start
        self._mono = time.monotonic()

    def now(self):
        return self._start + (time.monotonic() - self._mono) * self.time_scale

    def sleep(self, seconds):
        if seconds > 0:
            time.sleep(seconds / self.time_scale)


class _Tenant:
    def __init__(self, limiter):
        self.calls = deque()
        self.tokens = float(limiter.burst)
        self.refilled_at = None
        self.semaphore = threading.BoundedSemaphore(limiter.concurrent_limit)
        self.in_flight = 0
        self.blocked_until = 0.0
        self.blocked_problem = None
        self.min_remaining = self.min_seen_at = None
        self.since_min = 0
        self.day_remaining = self.day_seen_at = None
        self.since_day = 0


class RateLimiter:
    """Shared by every client of the process; one bucket per organisation."""

    def __init__(
        self,
        minute_limit=60,
        burst=10,
        margin=2,
        concurrent_limit=5,
        day_limit=5000,
        batch_reserve=0.10,
        max_sleep=5.0,
        clock=None,
        sleep=None,
        time_scale=1.0,
    ):
        if burst >= minute_limit - margin:
            raise ValueError("burst must be smaller than minute_limit - margin")
        self.minute_limit = minute_limit
        self.burst = burst
        self.margin = margin
        self.concurrent_limit = concurrent_limit
        self.day_limit = day_limit
        self.batch_reserve = batch_reserve
        self.max_sleep = max_sleep
        self.time_scale = time_scale
        default = ScaledClock(time_scale)
        self.clock = clock or default.now
        self.sleep = sleep or default.sleep
        self.rate = (minute_limit - margin - burst) / WINDOW  # calls per second
        self._lock = threading.Lock()
        self._tenants = {}

    def _state(self, tenant_id):
        state = self._tenants.get(tenant_id)
        if state is None:
            state = self._tenants[tenant_id] = _Tenant(self)
        return state

    @contextmanager
    def slot(self, tenant_id, priority=INTERACTIVE):
        """Wait (briefly) for the right to call Xero for ``tenant_id``; hold it meanwhile."""
        with self._lock:
            state = self._state(tenant_id)
        slept = self._take_concurrency(state)
        try:
            self._take_call(tenant_id, state, priority, slept)
            try:
                yield
            finally:
                with self._lock:
                    state.in_flight -= 1
        finally:
            state.semaphore.release()

    def _take_concurrency(self, state):
        start = self.clock()
        if not state.semaphore.acquire(timeout=self.max_sleep / self.time_scale):
            raise XeroRateLimited(
                self.clock() + 1,
                "concurrent",
                "Too many simultaneous Xero calls for this organisation",
            )
        return max(0.0, self.clock() - start)

    def _take_call(self, tenant_id, state, priority, slept):
        while True:
            with self._lock:
                now = self.clock()
                wait, problem = self._wait_needed(state, now, priority)
                if wait <= 0:
                    state.calls.append(now)
                    state.tokens -= 1
                    state.since_min += 1
                    state.since_day += 1
                    state.in_flight += 1
                    return
            if slept + wait > self.max_sleep:
                raise XeroRateLimited(now + wait, problem)
            self.sleep(wait)
            slept += wait

    def _wait_needed(self, state, now, priority):
        waits = [(0.0, None)]
        if state.blocked_until > now:
            waits.append((state.blocked_until - now, state.blocked_problem))
        if state.day_remaining is not None:
            # Xero's daily window is not published: trust a reading until the next UTC
            # midnight or for an hour, whichever comes first, then probe again.
            stale_at = min(_next_utc_midnight(state.day_seen_at), state.day_seen_at + 3600)
            left = state.day_remaining - state.since_day
            reserve = math.ceil(self.day_limit * self.batch_reserve)
            if now >= stale_at:
                state.day_remaining = None
            elif left <= 0 or (priority == BATCH and left <= reserve):
                msg = (
                    "Xero daily limit reached"
                    if left <= 0
                    else ("Xero daily limit nearly used; the rest is kept for users' actions")
                )
                raise XeroRateLimited(stale_at, "day", msg)
        if (
            state.min_remaining is not None
            and now - state.min_seen_at < WINDOW
            and state.min_remaining - state.since_min <= 1
        ):
            waits.append((state.min_seen_at + WINDOW - now, "minute"))
        while state.calls and state.calls[0] <= now - WINDOW:
            state.calls.popleft()
        if len(state.calls) >= self.minute_limit - self.margin:
            waits.append((state.calls[0] + WINDOW - now, "minute"))
        if state.refilled_at is not None:
            state.tokens = min(self.burst, state.tokens + (now - state.refilled_at) * self.rate)
        state.refilled_at = now
        if state.tokens < 1:
            waits.append(((1 - state.tokens) / self.rate, "minute"))
        return max(waits, key=lambda w: w[0])

    def observe(self, tenant_id, headers):
        """Learn from an answer's X-MinLimit-Remaining / X-DayLimit-Remaining headers."""
        lower = {str(k).lower(): v for k, v in (headers or {}).items()}
        with self._lock:
            state = self._state(tenant_id)
            now = self.clock()
            others = max(0, state.in_flight - 1)
            minute = _int(lower.get("x-minlimit-remaining"))
            if minute is not None:
                state.min_remaining, state.min_seen_at, state.since_min = minute, now, others
            day = _int(lower.get("x-daylimit-remaining"))
            if day is not None:
                state.day_remaining, state.day_seen_at, state.since_day = day, now, others

    def blocked(self, tenant_id, seconds, problem="minute"):
        """Xero said 429: no call for ``tenant_id`` during the next ``seconds``."""
        with self._lock:
            state = self._state(tenant_id)
            retry_at = self.clock() + max(0.0, seconds)
            if retry_at > state.blocked_until:
                state.blocked_until, state.blocked_problem = retry_at, problem

    def reset(self, tenant_id=None):
        """Forget what is known (all organisations, or one)."""
        with self._lock:
            if tenant_id is None:
                self._tenants.clear()
            else:
                self._tenants.pop(tenant_id, None)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _next_utc_midnight(now):
    day = datetime.fromtimestamp(now, tz=UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


_default = None
_default_lock = threading.Lock()


def default_limiter():
    """The limiter shared by every client of this process."""
    global _default
    with _default_lock:
        if _default is None:
            _default = RateLimiter()
        return _default
