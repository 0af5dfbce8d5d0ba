import json

from odoo.tests import HttpCase, tagged

from ..models.xero_webhook_event import signature_of
from .common import DEMO_ORG, org_id, shared_sandbox

KEY = "webhook-key-of-the-demo-app"


@tagged("post_install", "-at_install")
class TestWebhook(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = shared_sandbox()
        cls.sandbox.reset("demo")
        cls.tenant = org_id(cls.sandbox, DEMO_ORG)
        cls.connection = cls.env.company.xero_connection_id
        cls.connection.write({"webhook_key": KEY, "tenant_id": cls.tenant, "state": "connected"})
        cls.events = cls.env["xero.webhook.event"]

    def _payload(self, events):
        return json.dumps(
            {
                "events": events,
                "firstEventSequence": 1,
                "lastEventSequence": len(events),
                "entropy": "ABCDEF",
            }
        ).encode()

    def _event(
        self, resource_id="inv-1", tenant=None, category="INVOICE", when="2026-11-21T10:00:00"
    ):
        return {
            "resourceUrl": f"https://api.xero.com/api.xro/2.0/Invoices/{resource_id}",
            "resourceId": resource_id,
            "eventDateUtc": when,
            "eventType": "UPDATE",
            "eventCategory": category,
            "tenantId": tenant or self.tenant,
            "tenantType": "ORGANISATION",
        }

    def _post(self, body, signature):
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["x-xero-signature"] = signature
        return self.url_open("/xero/webhook", data=body, headers=headers)

    def test_good_signature_is_stored_fast_with_empty_answer(self):
        body = self._payload([self._event()])
        response = self._post(body, signature_of(KEY, body))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"")
        self.assertNotIn("Set-Cookie", response.headers)
        event = self.events.search([("resource_id", "=", "inv-1")])
        self.assertEqual(event.state, "new")
        self.assertEqual(event.connection_id, self.connection)

    def test_bad_or_missing_signature_gets_401_and_changes_nothing(self):
        body = self._payload([self._event("inv-bad")])
        for signature in (signature_of("wrong-key", body), "", None):
            with self.subTest(signature=signature):
                response = self._post(body, signature)
                self.assertEqual(response.status_code, 401)
                self.assertEqual(response.content, b"")
        self.assertFalse(self.events.search([("resource_id", "=", "inv-bad")]))

    def test_signature_over_other_bytes_is_refused(self):
        body = self._payload([self._event("inv-x")])
        tampered = body.replace(b"inv-x", b"inv-y")
        self.assertEqual(self._post(tampered, signature_of(KEY, body)).status_code, 401)

    def test_replayed_event_is_stored_once(self):
        body = self._payload([self._event("inv-2")])
        for _i in range(3):
            self.assertEqual(self._post(body, signature_of(KEY, body)).status_code, 200)
        self.assertEqual(self.events.search_count([("resource_id", "=", "inv-2")]), 1)

    def test_unknown_organisation_is_ignored_and_logged(self):
        body = self._payload([self._event("inv-3", tenant="00000000-dead-beef-0000-000000000000")])
        self.assertEqual(self._post(body, signature_of(KEY, body)).status_code, 200)
        event = self.events.search([("resource_id", "=", "inv-3")])
        self.assertEqual(event.state, "ignored")
        self.assertFalse(event.connection_id)

    def test_intent_to_receive_from_the_sandbox(self):
        report = self.sandbox.webhook_intent(url=self.base_url() + "/xero/webhook", key=KEY)
        self.assertTrue(report["ok"], report)

    def test_processing_marks_events_without_handler_ignored(self):
        body = self._payload([self._event("c-1", category="SUBSCRIPTION")])
        self._post(body, signature_of(KEY, body))
        self.events._cron_process()
        event = self.events.search([("resource_id", "=", "c-1")])
        self.assertEqual(event.state, "ignored")
        self.assertIn("SUBSCRIPTION", event.message)

    def test_non_ascii_signature_is_a_wrong_signature(self):
        body = self._payload([self._event("inv-u")])
        for signature in ("é" * 44, signature_of(KEY, body)[:-2] + "✓=", "\u00ff"):
            with self.subTest(signature=signature):
                headers = {
                    "Content-Type": "application/json",
                    "x-xero-signature": signature.encode("utf-8"),
                }
                response = self.url_open("/xero/webhook", data=body, headers=headers)
                self.assertEqual(response.status_code, 401)
        self.assertFalse(self.events.search([("resource_id", "=", "inv-u")]))

    def test_signed_body_that_is_not_a_batch_is_refused(self):
        for body in (b"[]", b"1", b"null", b'"events"', b'{"events": {"a": 1}}', b"{not json"):
            with self.subTest(body=body):
                response = self._post(body, signature_of(KEY, body))
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.content, b"")
        self.assertFalse(self.events.search([]))

    def test_event_without_its_date_is_not_stored(self):
        dated = self._event("inv-dated")
        undated = self._event("inv-undated")
        del undated["eventDateUtc"]
        odd = [undated, "not an event", dict(self._event("inv-null"), eventDateUtc=None)]
        body = self._payload([*odd, dated])
        for _i in range(2):
            self.assertEqual(self._post(body, signature_of(KEY, body)).status_code, 200)
        stored = self.events.search([])
        self.assertEqual(stored.mapped("resource_id"), ["inv-dated"])
        self.assertFalse(self.events.search([("event_date", "=", False)]))
