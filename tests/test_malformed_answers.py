"""Malformed answers from Xero (cut-off JSON, an HTML page with status 200, unknown enum
values, a wrong shape) end as a readable error on the document, never as a crash of the
export cron; and a send whose answer was cut off is never created twice."""

import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo.tests import tagged

from .export_common import XeroExportCase


class _Proxy(BaseHTTPRequestHandler):
    """Forwards every call to the sandbox, except that the answer to a write on
    /Invoices goes through ``server.mangle(status, body) -> (status, type, body)``."""

    def log_message(self, *args):
        pass

    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {
            k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
        }
        req = urllib.request.Request(
            self.server.target + self.path, data=body, method=self.command, headers=headers
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, ctype, data = resp.status, resp.headers.get("Content-Type"), resp.read()
        except urllib.error.HTTPError as exc:
            status, ctype, data = exc.code, exc.headers.get("Content-Type"), exc.read()
        path = self.path.split("?")[0]
        mangled = getattr(self.server, "mangle_path", "/api.xro/2.0/Invoices")
        if self.command in ("PUT", "POST") and path.endswith(mangled):
            status, ctype, data = self.server.mangle(status, data)
        self.send_response(status)
        self.send_header("Content-Type", ctype or "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = _forward


@tagged("post_install", "-at_install")
class TestMalformedAnswers(XeroExportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.proxy = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
        cls.proxy.target = cls.sandbox.url
        cls.proxy.mangle = lambda status, data: (status, "application/json", data)
        threading.Thread(target=cls.proxy.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.proxy.server_close)
        cls.addClassCleanup(cls.proxy.shutdown)
        cls.connection.endpoint_url = f"http://127.0.0.1:{cls.proxy.server_port}"

    def setUp(self):
        super().setUp()
        self.addCleanup(self.env["xero.rate.budget"]._reset, self.tenant)

    def _send(self, mangle, ref):
        self.proxy.mangle = mangle
        bill = self.make_move(ref=ref)
        self.assertEqual(bill.xero_state, "queued")
        done = self.run_export()  # returns normally
        self.assertEqual(done, 1)
        return bill

    def _in_xero(self, bill):
        url = bill._xero_url_back()
        return [d for d in self.xero_docs() if d.get("Url") == url]

    def test_cut_off_json_is_an_error_and_resend_creates_nothing_twice(self):
        def cut(status, data):
            return status, "application/json", data[: len(data) // 2]

        bill = self._send(cut, "SUP-CUT")
        self.assertEqual(bill.xero_state, "error")
        self.assertIn("could not be read", bill.xero_error)
        self.assertIn("cut off", bill.xero_error)
        self.assertEqual(len(self._in_xero(bill)), 1, "Xero did create it")
        # Xero answers properly again: Resend finds the document instead of creating it.
        self.proxy.mangle = lambda status, data: (status, "application/json", data)
        bill.action_xero_resend()
        self.run_export()
        self.assertEqual(bill.xero_state, "sent")
        created = self._in_xero(bill)
        self.assertEqual(len(created), 1, "still one Xero document")
        self.assertEqual(bill.xero_id, created[0]["InvoiceID"])

    def test_html_page_with_status_200_is_an_error(self):
        page = b"<!DOCTYPE html><html><body><h1>Service maintenance</h1></body></html>"
        bill = self._send(lambda status, data: (200, "text/html", page), "SUP-HTML")
        self.assertEqual(bill.xero_state, "error")
        self.assertIn("HTML page", bill.xero_error)
        log = self.env["xero.log"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", bill.id)]
        )
        self.assertIn("unreadable", log.mapped("operation"))

    def test_wrong_shape_is_an_error(self):
        body = json.dumps({"Invoices": {"unexpected": "object"}}).encode()
        bill = self._send(lambda status, data: (200, "application/json", body), "SUP-SHAPE")
        self.assertEqual(bill.xero_state, "error")
        self.assertIn("does not list", bill.xero_error)

    def test_element_without_id_is_an_error(self):
        def strip_ids(status, data):
            answer = json.loads(data)
            for element in answer["Invoices"]:
                element.pop("InvoiceID", None)
            return status, "application/json", json.dumps(answer).encode()

        bill = self._send(strip_ids, "SUP-NOID")
        self.assertEqual(bill.xero_state, "error")
        self.assertIn("no id", bill.xero_error)
        self.assertFalse(bill.xero_id)

    def test_unknown_enum_values_do_not_crash(self):
        # The SDK's models crash on enum values they do not know; the addon reads
        # Xero's JSON as plain data and keeps the value as Xero gave it.
        def new_status(status, data):
            answer = json.loads(data)
            for element in answer["Invoices"]:
                element["Status"] = "AWAITING_SECOND_APPROVAL"
                element["LineAmountTypes"] = "SomethingNew"
            return status, "application/json", json.dumps(answer).encode()

        bill = self._send(new_status, "SUP-ENUM")
        self.assertEqual(bill.xero_state, "sent")
        self.assertEqual(bill.xero_status, "AWAITING_SECOND_APPROVAL")
        self.assertTrue(bill.xero_id)
