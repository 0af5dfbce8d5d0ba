"""Per-organisation rate budget: stay under Xero's limits instead of hitting 429.

Xero allows, per app and organisation, 60 calls a minute, 5 at a time and a daily
allowance (5,000; 1,000 on the Starter tier), and reports what is left in the
X-MinLimit-Remaining / X-DayLimit-Remaining headers of every answer. The budget:

- paces calls with a token bucket (``burst`` at once, then a steady rate) capped by a
  sliding 60 s window, so at most ``minute_limit - margin`` calls start in any minute;
- lets at most ``concurrent_limit`` calls run at once per organisation;
- learns the daily allowance from X-DayLimit-Remaining (never assumes 5,000) and keeps
  a share of it (``batch_reserve`` of the most Xero reported left within the last day)
  for interactive actions: 'batch' calls stop there with ``XeroRateLimited``;
- waits out Xero's 429s: minute/day ones for their Retry-After, shared by every caller;
  a concurrency 429 (no Retry-After) makes only the refused caller back off a few seconds;
- never sleeps more than ``max_sleep`` seconds in one call: beyond that it raises
  ``XeroRateLimited(retry_at)`` so a cron can reschedule instead of blocking a worker.

``RateLimiter`` holds these rules; the counters live in a ``BudgetStore``. The
``MemoryBudgetStore`` here keeps them in this process (plain scripts, tests); the addon
keeps them in PostgreSQL so every worker and server of a database shares one budget
(``models/xero_rate_budget.py``). The clock and sleep are injectable; ``time_scale``
runs them faster than real time for tests.
"""

import math
import random
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from .errors import XeroRateLimited

INTERACTIVE = "interactive"
BATCH = "batch"
WINDOW = 60.0
DAY = 86400.0
DAY_TRUST = 3600.0  # a daily reading is trusted this long (and never past UTC midnight)
SLOT_POLL = 0.2  # seconds between two tries for a concurrency slot
CONCURRENT_BACKOFF = (1.0, 3.0)  # a concurrency 429 has no Retry-After: back off so long


class ScaledClock:
    """Wall-clock time running ``time_scale`` times faster than real time.

    Clocks of several processes that share a budget must agree: give them the same
    ``epoch`` (a POSIX time); they then read ``epoch + (time.time() - epoch) * scale``.
    """

    def __init__(self, time_scale=1.0, start=None, epoch=None):
        self.time_scale = float(time_scale)
        self.epoch = epoch
        self._start = time.time() if start is None else start
        self._mono = time.monotonic()

    def now(self):
        if self.epoch is not None:
            return self.epoch + (time.time() - self.epoch) * self.time_scale
        return self._start + (time.monotonic() - self._mono) * self.time_scale

    def sleep(self, seconds):
        if seconds > 0:
            time.sleep(seconds / self.time_scale)


@dataclass(frozen=True)
class Rules:
    """What a store needs to decide whether one more call may start now."""

    window_cap: int  # calls that may start in any 60 s
    burst: float  # token bucket size
    rate: float  # token refill, calls per second
    concurrent_limit: int
    batch_reserve: float  # share of the day's allowance kept for interactive calls


class BudgetStore(Protocol):
    """Where the counters of each organisation's budget live.

    ``take`` is atomic: it either grants one call (a concurrency slot plus a place in
    the minute window) and returns ``(grant, 0, None)``, or grants nothing and returns
    ``(None, wait_seconds, problem)`` with problem 'concurrent', 'minute', 'day',
    'reserve' (the day's rest is kept for interactive calls) or the problem of a
    429 Xero sent. ``give_back`` frees the slot and records Xero's headers (None when
    absent); ``block`` stops the organisation's calls until ``until`` (a Xero 429).
    """

    def take(self, tenant_id, now, batch, rules): ...

    def give_back(self, grant, now, min_remaining, day_remaining): ...

    def block(self, tenant_id, until, problem): ...

    def reset(self, tenant_id=None): ...


def day_reading_expires(seen_at):
    """Xero's daily window is not published: trust a reading until the next UTC
    midnight or for an hour, whichever comes first, then probe again."""
    return min((math.floor(seen_at / DAY) + 1) * DAY, seen_at + DAY_TRUST)


@dataclass
class _Budget:
    """One organisation's counters (the PostgreSQL store has the same columns)."""

    calls: list = field(default_factory=list)  # start times within the last minute
    tokens: float | None = None
    refilled_at: float | None = None
    blocked_until: float = 0.0
    blocked_problem: str | None = None
    min_remaining: int | None = None
    min_seen_at: float | None = None
    since_min: int = 0
    day_remaining: int | None = None
    day_seen_at: float | None = None
    since_day: int = 0
    day_peak: int | None = None  # most Xero reported left within the last day
    day_peak_at: float | None = None
    in_flight: int = 0


class MemoryBudgetStore:
    """The budget kept in this process (shared by its threads)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._budgets = {}

    def take(self, tenant_id, now, batch, rules):
        with self._lock:
            b = self._budgets.setdefault(tenant_id, _Budget())
            waits = [(0.0, None)]
            if b.blocked_until > now:
                waits.append((b.blocked_until - now, b.blocked_problem))
            if b.day_remaining is not None:
                expires = day_reading_expires(b.day_seen_at)
                left = b.day_remaining - b.since_day
                reserve = math.ceil(rules.batch_reserve * (b.day_peak or b.day_remaining))
                if now >= expires:
                    b.day_remaining = None
                elif left <= 0:
                    return None, expires - now, "day"
                elif batch and left <= reserve:
                    return None, expires - now, "reserve"
            if (
                b.min_remaining is not None
                and now - b.min_seen_at < WINDOW
                and b.min_remaining - b.since_min <= 1
            ):
                waits.append((b.min_seen_at + WINDOW - now, "minute"))
            b.calls = sorted(t for t in b.calls if t > now - WINDOW)
            if len(b.calls) >= rules.window_cap:
                waits.append((b.calls[len(b.calls) - rules.window_cap] + WINDOW - now, "minute"))
            tokens = rules.burst if b.tokens is None else b.tokens
            if b.refilled_at is not None:
                tokens = min(rules.burst, tokens + max(0.0, now - b.refilled_at) * rules.rate)
            if tokens < 1:
                waits.append(((1 - tokens) / rules.rate, "minute"))
            wait, problem = max(waits, key=lambda w: w[0])
            if wait > 0:
                return None, wait, problem
            if b.in_flight >= rules.concurrent_limit:
                return None, SLOT_POLL, "concurrent"
            b.in_flight += 1
            b.calls.append(now)
            b.tokens, b.refilled_at = tokens - 1, now
            b.since_min += 1
            b.since_day += 1
            return tenant_id, 0.0, None

    def give_back(self, grant, now, min_remaining, day_remaining):
        with self._lock:
            b = self._budgets.setdefault(grant, _Budget())
            b.in_flight = max(0, b.in_flight - 1)
            _record(b, now, min_remaining, day_remaining)

    def block(self, tenant_id, until, problem):
        with self._lock:
            b = self._budgets.setdefault(tenant_id, _Budget())
            if until > b.blocked_until:
                b.blocked_until, b.blocked_problem = until, problem

    def reset(self, tenant_id=None):
        with self._lock:
            if tenant_id is None:
                self._budgets.clear()
            else:
                self._budgets.pop(tenant_id, None)


def _record(b, now, min_remaining, day_remaining):
    """Xero's headers are the truth: they replace what we counted since the last ones."""
    if min_remaining is not None:
        b.min_remaining, b.min_seen_at, b.since_min = min_remaining, now, 0
    if day_remaining is not None:
        b.day_remaining, b.day_seen_at, b.since_day = day_remaining, now, 0
        if b.day_peak is None or b.day_peak_at <= now - DAY or day_remaining > b.day_peak:
            b.day_peak, b.day_peak_at = day_remaining, now


class _Call:
    """The right to make one call; ``observe`` the answer's headers before leaving."""

    def __init__(self):
        self.min_remaining = self.day_remaining = None

    def observe(self, headers):
        lower = {str(k).lower(): v for k, v in (headers or {}).items()}
        self.min_remaining = _int(lower.get("x-minlimit-remaining"))
        self.day_remaining = _int(lower.get("x-daylimit-remaining"))


class RateLimiter:
    """The budget rules; one budget per organisation in ``store``."""

    def __init__(
        self,
        store=None,
        minute_limit=60,
        burst=10,
        margin=2,
        concurrent_limit=5,
        batch_reserve=0.10,
        max_sleep=5.0,
        clock=None,
        sleep=None,
        time_scale=1.0,
    ):
        if burst >= minute_limit - margin:
            raise ValueError("burst must be smaller than minute_limit - margin")
        self.store = store if store is not None else MemoryBudgetStore()
        self.rules = Rules(
            window_cap=minute_limit - margin,
            burst=float(burst),
            rate=(minute_limit - margin - burst) / WINDOW,
            concurrent_limit=concurrent_limit,
            batch_reserve=batch_reserve,
        )
        self.max_sleep = max_sleep
        self.time_scale = time_scale
        default = ScaledClock(time_scale)
        self.clock = clock or default.now
        self.sleep = sleep or default.sleep

    @contextmanager
    def slot(self, tenant_id, priority=INTERACTIVE):
        """Wait (briefly) for the right to call Xero for ``tenant_id``; hold it meanwhile.
        Yields a ``_Call``: pass it the answer's headers with ``observe(headers)``."""
        grant = self._take(tenant_id, priority == BATCH)
        call = _Call()
        try:
            yield call
        finally:
            self.store.give_back(grant, self.clock(), call.min_remaining, call.day_remaining)

    def _take(self, tenant_id, batch):
        slept = 0.0
        while True:
            now = self.clock()
            grant, wait, problem = self.store.take(tenant_id, now, batch, self.rules)
            if grant is not None:
                return grant
            if problem in ("day", "reserve") or slept + wait > self.max_sleep:
                raise _refusal(now, wait, problem)
            self.sleep(wait)
            slept += wait

    def blocked(self, tenant_id, seconds, problem="minute"):
        """Xero said 429 for its minute or day limit: no call to ``tenant_id`` during
        the next ``seconds`` (its Retry-After), from any process sharing the store. A
        concurrency 429 blocks nobody (the calls that filled Xero's slots may already
        have ended): the refused caller backs off alone."""
        if problem == "concurrent":
            return
        self.store.block(tenant_id, self.clock() + max(0.0, seconds), problem)

    def reset(self, tenant_id=None):
        """Forget what is known (all organisations, or one)."""
        self.store.reset(tenant_id)


def concurrent_backoff():
    """Seconds to wait after a concurrency 429, which carries no Retry-After (jittered
    so that the refused callers do not all come back at once)."""
    return random.uniform(*CONCURRENT_BACKOFF)


def _refusal(now, wait, problem):
    if problem == "reserve":
        return XeroRateLimited(
            now + wait, "day", "Xero daily limit nearly used; the rest is kept for users' actions"
        )
    if problem == "day":
        return XeroRateLimited(now + wait, "day", "Xero daily limit reached")
    if problem == "concurrent":
        return XeroRateLimited(
            now + 1, "concurrent", "Too many simultaneous Xero calls for this organisation"
        )
    return XeroRateLimited(now + wait, problem or "minute")


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


_default = None
_default_lock = threading.Lock()


def default_limiter():
    """The limiter shared by every client of this process (budget kept in memory)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = RateLimiter()
        return _default
