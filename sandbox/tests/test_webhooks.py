"""Webhooks: signed event batches for contacts, invoices and credit notes, retries, and
the intent-to-receive check."""

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .conftest import bill

KEY = "webhook-signing-key-0123456789"


class Receiver:
    """A webhook endpoint like the addon's: 200 on a valid signature, 401 otherwise."""

    def __init__(self, check_signature=True, fail_first=0):
        self.batches = []
        self.statuses = []
        self.check_signature = check_signature
        self.fail_first = fail_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = base64.b64encode(
                    hmac.new(KEY.encode(), body, hashlib.sha256).digest()
                ).decode()
                good = hmac.compare_digest(expected, self.headers.get("x-xero-signature", ""))
                if receiver.fail_first > 0:
                    receiver.fail_first -= 1
                    status = 500
                elif good or not receiver.check_signature:
                    status = 200
                    receiver.batches.append(json.loads(body))
                else:
                    status = 401
                receiver.statuses.append(status)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/xero/webhooks"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def events(self, timeout=5.0, count=1):
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = [e for b in self.batches for e in b["events"]]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        return [e for b in self.batches for e in b["events"]]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver(sb):
    rec = Receiver()
    sb.webhooks(rec.url, KEY)
    yield rec
    sb.webhooks(None, None)
    rec.close()


def test_contact_create_and_update_events(api, receiver):
    contact = api.ok("PUT", "/Contacts", {"Contacts": [{"Name": "Webhook Co"}]})["Contacts"][0]
    api.ok(
        "POST", f"/Contacts/{contact['ContactID']}", {"Contacts": [{"ContactStatus": "ARCHIVED"}]}
    )
    events = receiver.events(count=2)
    assert [(e["eventCategory"], e["eventType"]) for e in events] == [
        ("CONTACT", "CREATE"),
        ("CONTACT", "UPDATE"),
    ]
    first = events[0]
    assert first["resourceId"] == contact["ContactID"] and first["tenantType"] == "ORGANISATION"
    assert first["resourceUrl"].endswith(f"/Contacts/{contact['ContactID']}")
    assert first["tenantId"] == api.tenant
    batch = receiver.batches[0]
    assert batch["firstEventSequence"] <= batch["lastEventSequence"] and batch["entropy"]


def test_invoice_and_credit_note_events(api, supplier, receiver):
    inv = api.ok("PUT", "/Invoices", {"Invoices": [bill(supplier["ContactID"])]})["Invoices"][0]
    api.ok("POST", f"/Invoices/{inv['InvoiceID']}", {"Invoices": [{"Status": "AUTHORISED"}]})
    api.ok(
        "PUT",
        "/CreditNotes",
        {
            "CreditNotes": [
                {
                    "Type": "ACCPAYCREDIT",
                    "Contact": {"ContactID": supplier["ContactID"]},
                    "LineItems": [
                        {"Description": "x", "Quantity": 1, "UnitAmount": 5, "AccountCode": "300"}
                    ],
                }
            ]
        },
    )
    events = receiver.events(count=3)
    kinds = [(e["eventCategory"], e["eventType"]) for e in events]
    assert kinds == [("INVOICE", "CREATE"), ("INVOICE", "UPDATE"), ("CREDITNOTE", "CREATE")]
    assert events[2]["data"] == {"Type": "ACCPAYCREDIT", "Status": "DRAFT"}


def test_deliveries_are_retried(sb, api):
    rec = Receiver(fail_first=1)
    sb.webhooks(rec.url, KEY)
    try:
        api.ok("PUT", "/Contacts", {"Contacts": [{"Name": "Retry Hook Ltd"}]})
        assert rec.events(count=1)
        assert rec.statuses[:2] == [500, 200]
        attempts = [d["attempt"] for d in sb.webhooks()["deliveries"] if d["url"] == rec.url]
        assert attempts == [1, 2]
    finally:
        sb.webhooks(None, None)
        rec.close()


def test_intent_to_receive_passes_for_a_correct_receiver(sb, receiver):
    report = sb.webhook_intent()
    assert report["ok"] is True
    assert {c["kind"] for c in report["checks"]} == {"signed", "bad_signature", "unsigned"}
    assert all(c["ok"] for c in report["checks"])


def test_intent_to_receive_fails_for_a_receiver_ignoring_signatures(sb):
    rec = Receiver(check_signature=False)
    try:
        report = sb.webhook_intent(rec.url, KEY)
        assert report["ok"] is False
        bad = [c for c in report["checks"] if not c["ok"]]
        assert bad and all(c["expected"] == 401 and c["status"] == 200 for c in bad)
    finally:
        rec.close()


def test_approving_in_the_sandbox_authorises_and_notifies(sb, api, supplier, receiver):
    inv = api.ok("PUT", "/Invoices", {"Invoices": [bill(supplier["ContactID"])]})["Invoices"][0]
    receiver.events(count=1)  # the CREATE
    sb.approve(api.tenant, inv["InvoiceID"])
    assert api.ok("GET", f"/Invoices/{inv['InvoiceID']}")["Invoices"][0]["Status"] == "AUTHORISED"
    update = receiver.events(count=2)[-1]
    assert (update["eventCategory"], update["eventType"]) == ("INVOICE", "UPDATE")
    assert update["resourceId"] == inv["InvoiceID"]


def test_only_drafts_and_awaiting_approval_can_be_approved(sb, api, supplier):
    inv = api.ok("PUT", "/Invoices", {"Invoices": [bill(supplier["ContactID"])]})["Invoices"][0]
    sb.approve(api.tenant, inv["InvoiceID"])
    with pytest.raises(RuntimeError):
        sb.approve(api.tenant, inv["InvoiceID"])
