"""Sandbox clock: real time scaled by ``time_scale`` plus an adjustable offset.

Every expiry in the sandbox (tokens, refresh-token grace, rate-limit windows,
authorization codes) reads this clock, so tests can jump a minute or a day
forward through the control API instead of sleeping.
"""

import threading
import time
from datetime import UTC, datetime


class Clock:
    def __init__(self, time_scale=1.0, start=None):
        self._lock = threading.Lock()
        self.time_scale = float(time_scale)
        self._real0 = time.monotonic()
        self._base = start if start is not None else time.time()

    def now(self):
        """Sandbox time as a POSIX timestamp (float seconds)."""
        with self._lock:
            return self._base + (time.monotonic() - self._real0) * self.time_scale

    def now_dt(self):
        return datetime.fromtimestamp(self.now(), tz=UTC)

    def advance(self, seconds):
        with self._lock:
            self._base += float(seconds)

    def set(self, when):
        """Set the clock to an ISO 8601 instant (``2026-11-21T10:00:00Z``) or a timestamp."""
        if isinstance(when, str):
            ts = datetime.fromisoformat(when)
            if ts.tzinfo is None:
                ts = ts.replace(tzinfo=UTC)
            when = ts.timestamp()
        with self._lock:
            self._real0 = time.monotonic()
            self._base = float(when)

    def set_scale(self, time_scale):
        now = self.now()
        with self._lock:
            self.time_scale = float(time_scale)
            self._real0 = time.monotonic()
            self._base = now

    def real_seconds(self, sandbox_seconds):
        """How long in real time ``sandbox_seconds`` of sandbox time last."""
        if self.time_scale <= 0:
            return sandbox_seconds
        return sandbox_seconds / self.time_scale

    def to_json(self):
        now = self.now_dt().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return {"now": now, "time_scale": self.time_scale}
