import time

from odoo.tests import HttpCase, tagged

from .payment_common import XeroPaymentCase

KEY = "webhook-key-of-the-payments-test"


@tagged("post_install", "-at_install")
class TestPaymentWebhook(XeroPaymentCase, HttpCase):
    """A bill sent to Xero and paid there: Xero's webhook reaches Odoo's HTTP server,
    the events cron reads the bill and its payments from Xero, the bill is paid."""

    registry_test_mode = False  # XeroCase already serves requests from the test cursor

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connection.sudo().webhook_key = KEY

    def deliver_webhooks(self, action, resource_id, timeout=20):
        """Let the sandbox POST its webhooks to Odoo while ``action`` runs in Xero, and
        wait until they are delivered (Odoo's HTTP thread shares the test cursor: the
        test does not touch the database meanwhile)."""
        self.env.flush_all()
        url = self.base_url() + "/xero/webhook"
        self.sandbox.control("POST", "webhooks", {"url": url, "key": KEY})
        try:
            action()
            deadline = time.time() + timeout
            while time.time() < deadline:
                state = self.sandbox.webhooks()
                for delivery in state["deliveries"]:
                    ids = [e["resourceId"] for e in delivery["body"]["events"]]
                    if resource_id in ids and delivery["status"] == 200 and not state["pending"]:
                        return delivery
                time.sleep(0.2)
            self.fail(f"no webhook delivered for {resource_id}: {self.sandbox.webhooks()}")
        finally:
            self.sandbox.control("POST", "webhooks", {"url": None, "key": None})
            self.env.invalidate_all()

    def test_bill_paid_in_xero_is_paid_in_odoo_through_the_webhook(self):
        bill = self.exported()
        delivery = self.deliver_webhooks(lambda: self.pay_in_xero(bill), bill.xero_id)
        event = delivery["body"]["events"][0]
        self.assertEqual((event["eventCategory"], event["eventType"]), ("INVOICE", "UPDATE"))
        events = self.env["xero.webhook.event"].search([("resource_id", "=", bill.xero_id)])
        self.assertEqual(events.mapped("state"), ["new"])
        self.assertEqual(bill.payment_state, "not_paid", "nothing happens before the cron")
        self.env["xero.webhook.event"]._cron_process()
        self.assertEqual(events.state, "done", events.message)
        self.assertEqual(bill.payment_state, "paid")
        self.assertEqual(bill.xero_status, "PAID")
        self.assertEqual(self.odoo_payments(bill).xero_origin, "xero")
        # The same event processed again changes nothing.
        count = self.env["account.payment"].search_count([])
        events.write({"state": "new"})
        self.env["xero.webhook.event"]._cron_process()
        self.assertEqual(events.state, "done")
        self.assertEqual(self.env["account.payment"].search_count([]), count)

    def test_credit_note_event_refreshes_its_status(self):
        note = self.exported("in_refund")
        self.sandbox.put_records(
            self.tenant, "CreditNotes", [{"CreditNoteID": note.xero_id, "Status": "VOIDED"}]
        )
        self.env["xero.payment.sync"]._xero_on_webhook(
            self.connection, "CREDITNOTE", [note.xero_id]
        )
        self.assertEqual(note.xero_status, "VOIDED")
        self.assertIn("Voided in Xero", note.xero_attention)

    def test_event_for_a_document_odoo_did_not_send_is_harmless(self):
        since = self.mark()
        self.env["xero.payment.sync"]._xero_on_webhook(
            self.connection, "INVOICE", ["00000000-0000-4000-8000-00000000beef"]
        )
        self.assertFalse(self.calls(since), "nothing to ask Xero")
