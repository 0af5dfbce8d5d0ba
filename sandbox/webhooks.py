"""Webhook delivery: Xero's event payload, signed with x-xero-signature, sent from a
background thread with bounded retries; plus the intent-to-receive check."""

import base64
import hashlib
import hmac
import json
import logging
import queue
import secrets
import threading
import time
import urllib.error
import urllib.request

from .xdates import parse_datetime

log = logging.getLogger("sandbox.webhooks")
RESOURCE_BASE = "https://api.xero.com/api.xro/2.0"
RETRY_DELAYS = (0.2, 1.0, 3.0)


def sign(key, body):
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def post(url, body, signature, timeout=5):
    """POST raw bytes; returns the HTTP status or an error string."""
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "x-xero-signature": signature,
            "User-Agent": "Xero-Sandbox-Webhooks",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError) as exc:
        return f"error: {exc}"


class Webhooks:
    def __init__(self, clock, url=None, key=None, contract=None):
        self.clock = clock
        self.contract = contract
        self.url = url
        self.key = key
        self.sequence = 0
        self.deliveries = []
        self.lock = threading.Lock()
        self.queue = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
        self.thread.start()

    def configure(self, url=None, key=None):
        self.url, self.key = url, key

    def enqueue(self, events):
        if not events or not self.url or not self.key:
            return
        by_category = {}
        for event in events:
            by_category.setdefault(event["category"], []).append(event)
        for category, group in by_category.items():
            self._enqueue_batch(category, group)

    def _enqueue_batch(self, category, events):
        batch = []
        with self.lock:
            for event in events:
                self.sequence += 1
                row = {
                    "resourceUrl": f"{RESOURCE_BASE}/{event['path']}/{event['resource_id']}",
                    "resourceId": event["resource_id"],
                    "eventDateUtc": parse_datetime(self.clock.now_dt()).strftime(
                        "%Y-%m-%dT%H:%M:%S.%f"
                    )[:-3]
                    + "Z",
                    "eventType": event["type"],
                    "eventCategory": event["category"],
                    "tenantId": event["tenant_id"],
                    "tenantType": "ORGANISATION",
                }
                if event.get("data"):
                    row["data"] = event["data"]
                batch.append((self.sequence, row))
        payload = {
            "events": [r for _, r in batch],
            "firstEventSequence": batch[0][0],
            "lastEventSequence": batch[-1][0],
            "entropy": secrets.token_hex(10).upper(),
        }
        if self.contract is not None:
            self.contract.check_webhook(payload, category)
        self.queue.put((self.url, self.key, json.dumps(payload).encode()))

    def _run(self):
        while True:
            url, key, body = self.queue.get()
            status = None
            for attempt, delay in enumerate((0.0, *RETRY_DELAYS)):
                if delay:
                    time.sleep(delay)
                status = post(url, body, sign(key, body))
                with self.lock:
                    self.deliveries.append(
                        {
                            "url": url,
                            "attempt": attempt + 1,
                            "status": status,
                            "body": json.loads(body),
                        }
                    )
                if status == 200:
                    break
            else:
                log.warning("webhook delivery to %s failed after retries: %s", url, status)
            self.queue.task_done()

    def intent_to_receive(self, url=None, key=None):
        """Send Xero's validation series: a correctly signed empty batch must get 200,
        badly signed ones must get 401. Returns a report."""
        url, key = url or self.url, key or self.key
        if not url or not key:
            return {"ok": False, "error": "webhook url and key must be configured"}
        checks = []
        for kind, good in (
            ("signed", True),
            ("bad_signature", False),
            ("unsigned", False),
            ("signed", True),
        ):
            body = json.dumps(
                {
                    "events": [],
                    "firstEventSequence": 0,
                    "lastEventSequence": 0,
                    "entropy": secrets.token_hex(10).upper(),
                }
            ).encode()
            if kind == "signed":
                signature = sign(key, body)
            elif kind == "bad_signature":
                signature = sign(key + "-wrong", body)
            else:
                signature = ""
            status = post(url, body, signature)
            expected = 200 if good else 401
            checks.append(
                {"kind": kind, "expected": expected, "status": status, "ok": status == expected}
            )
        return {"ok": all(c["ok"] for c in checks), "checks": checks}

    def to_json(self):
        with self.lock:
            return {
                "url": self.url,
                "configured": bool(self.url and self.key),
                "deliveries": list(self.deliveries[-200:]),
                "pending": self.queue.qsize(),
            }
