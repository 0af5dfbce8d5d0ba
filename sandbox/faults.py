"""Fault injection: the next N matching calls fail in a chosen way."""

import re
import threading

# "404_html": an HTML 404 page from something in front of the API (a proxy, the edge),
# as Xero-Net#280 shows; it says nothing about whether a record exists.
KINDS = {"500", "503", "hang", "lost_response", "reset", "429", "404_html"}


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    def add(self, spec):
        kind = str(spec.get("kind"))
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(KINDS)}")
        fault = {
            "kind": kind,
            "count": int(spec.get("count", 1)),
            "path": spec.get("path"),
            "method": (spec.get("method") or "").upper() or None,
            "retry_after": int(spec.get("retry_after", 60)),
            "problem": spec.get("problem", "minute"),
            "hang_seconds": float(spec.get("hang_seconds", 30)),
        }
        if fault["path"]:
            re.compile(fault["path"])
        with self.lock:
            self.items.append(fault)
        return fault

    def clear(self):
        with self.lock:
            self.items = []

    def take(self, method, path):
        """Consume and return the first fault matching this call, or None."""
        if not self.items:
            return None
        with self.lock:
            for fault in self.items:
                if fault["count"] <= 0:
                    continue
                if fault["method"] and fault["method"] != method:
                    continue
                if fault["path"] and not re.search(fault["path"], path):
                    continue
                fault["count"] -= 1
                result = dict(fault)
                self.items = [f for f in self.items if f["count"] > 0]
                return result
        return None

    def to_json(self):
        with self.lock:
            return [dict(f) for f in self.items]
