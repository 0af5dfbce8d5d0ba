"""Xero's per-organisation rate limits: calls per minute, per day, concurrent calls,
plus the app-wide minute limit. Windows are fixed and start at a tenant's first call."""

import collections
import math
import threading

APP_MIN_LIMIT = 10000


class Limits:
    def __init__(
        self, clock, min_limit=60, day_limit=5000, concurrent_limit=5, app_min_limit=APP_MIN_LIMIT
    ):
        self.clock = clock
        self.lock = threading.Lock()
        self.configure(min_limit, day_limit, concurrent_limit, app_min_limit)
        self.reset()

    def configure(self, min_limit=None, day_limit=None, concurrent_limit=None, app_min_limit=None):
        if min_limit is not None:
            self.min_limit = int(min_limit)
        if day_limit is not None:
            self.day_limit = int(day_limit)
        if concurrent_limit is not None:
            self.concurrent_limit = int(concurrent_limit)
        if app_min_limit is not None:
            self.app_min_limit = int(app_min_limit)

    def reset(self):
        with self.lock:
            self.minute = {}  # tenant -> [window start, count]
            self.day = {}
            self.app_minute = {}  # client id -> [window start, count]
            self.inflight = {}
            # 429s given, by cause: "minute", "day", "concurrent", "appminute" for the
            # limits above, "injected" for faults injected through the control API.
            self.refused = collections.Counter()

    def count_refusal(self, problem):
        with self.lock:
            self.refused[problem] += 1

    def _window(self, table, key, length, now):
        win = table.get(key)
        if win is None or now >= win[0] + length:
            win = table[key] = [now, 0]
        return win

    def acquire(self, tenant, client_id):
        """Count a call. Returns ``(problem, retry_after)``; problem is None when allowed.
        A concurrency refusal has no retry_after: Xero sends no Retry-After with it."""
        now = self.clock.now()
        with self.lock:
            minute = self._window(self.minute, tenant, 60, now)
            day = self._window(self.day, tenant, 86400, now)
            app = self._window(self.app_minute, client_id, 60, now)
            refusal = None
            if self.inflight.get(tenant, 0) >= self.concurrent_limit:
                refusal = "concurrent", None
            elif day[1] >= self.day_limit:
                refusal = "day", max(1, math.ceil(day[0] + 86400 - now))
            elif minute[1] >= self.min_limit:
                refusal = "minute", max(1, math.ceil(minute[0] + 60 - now))
            elif app[1] >= self.app_min_limit:
                refusal = "appminute", max(1, math.ceil(app[0] + 60 - now))
            if refusal:
                self.refused[refusal[0]] += 1
                return refusal
            minute[1] += 1
            day[1] += 1
            app[1] += 1
            self.inflight[tenant] = self.inflight.get(tenant, 0) + 1
            return None, 0

    def release(self, tenant):
        with self.lock:
            self.inflight[tenant] = max(0, self.inflight.get(tenant, 1) - 1)

    def headers(self, tenant, client_id):
        now = self.clock.now()
        with self.lock:
            minute = self._window(self.minute, tenant, 60, now)
            day = self._window(self.day, tenant, 86400, now)
            app = self._window(self.app_minute, client_id, 60, now)
            return {
                "X-MinLimit-Remaining": str(max(0, self.min_limit - minute[1])),
                "X-DayLimit-Remaining": str(max(0, self.day_limit - day[1])),
                "X-AppMinLimit-Remaining": str(max(0, self.app_min_limit - app[1])),
            }

    def to_json(self):
        return {
            "min_limit": self.min_limit,
            "day_limit": self.day_limit,
            "concurrent_limit": self.concurrent_limit,
            "app_min_limit": self.app_min_limit,
            "refused": dict(self.refused),
        }
