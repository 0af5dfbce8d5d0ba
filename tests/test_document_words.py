import json

from odoo.exceptions import UserError
from odoo.tests import tagged

from .export_common import XeroExportCase


@tagged("post_install", "-at_install")
class TestDocumentWords(XeroExportCase):
    """What an accountant sees on a document on its way to Xero: no dead ends, words."""

    def refusal_logs(self, doc):
        return self.env["xero.log"].search(
            [("res_model", "=", doc._name), ("res_id", "=", doc.id), ("operation", "=", "refused")]
        )

    def fix_activities(self, doc):
        kind = self.env.ref("xero_connector.mail_activity_xero_export")
        return doc.activity_ids.filtered(lambda a: a.activity_type_id == kind)

    def test_local_refusal_reaches_the_sync_log_and_a_to_do(self):
        clerk = self.env.ref("base.user_admin")
        bill = self.make_move(
            lines=[{"price_unit": 50.0, "taxes": self.tax_unlinked}], invoice_user_id=clerk.id
        )
        self.assertEqual(bill.xero_state, "error")
        logs = self.refusal_logs(bill)
        self.assertEqual(len(logs), 1, "the refusal at posting is in the Sync Log")
        self.assertEqual(logs.outcome, "error")
        self.assertIn("has no Xero tax rate", logs.message)
        self.assertEqual(logs.document_type, "Bill")
        self.assertEqual(logs.operation_label, "Refused in Odoo before sending")
        todo = self.fix_activities(bill)
        self.assertEqual(len(todo), 1, "the responsible person has a to-do")
        self.assertEqual(todo.user_id, clerk, "the bill's responsible")
        # retried: still one to-do, one more log row
        self.run_export()
        # (no assertRaises: its savepoint would also undo the log's own transaction,
        # which in tests shares the test's connection)
        try:
            bill.action_xero_send()
        except UserError as exc:
            self.assertIn("has no Xero tax rate", str(exc))
        else:
            self.fail("the bill is refused")
        self.assertEqual(len(self.refusal_logs(bill)), 2, "the refusal on the button too")
        self.assertEqual(len(self.fix_activities(bill)), 1, "one to-do per document")
        # fixed and sent: the to-do is done
        bill.button_draft()
        self.assertFalse(self.fix_activities(bill))

    def test_to_do_done_when_the_document_reaches_xero(self):
        bill = self.make_move(
            lines=[{"price_unit": 50.0, "account_id": self.unlinked_account.id}],
            invoice_user_id=self.env.ref("base.user_admin").id,
        )
        self.run_export()
        self.assertEqual(bill.xero_state, "error")
        self.assertEqual(len(self.fix_activities(bill)), 1)
        self.company.xero_purchase_account_code = "429"
        bill.action_xero_send()
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        self.assertFalse(self.fix_activities(bill))

    def test_reset_to_draft_leaves_no_error_and_no_dead_button(self):
        bill = self.make_move(lines=[{"price_unit": 50.0, "taxes": self.tax_unlinked}])
        self.assertEqual(bill.xero_state, "error")
        bill.button_draft()
        self.assertEqual(bill.xero_state, "not_sent")
        self.assertFalse(bill.xero_error, "no red banner left on the draft")

    def test_reset_to_draft_after_a_failed_update(self):
        bill = self.make_move()
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        bill._xero_set_error("Xero refused the update", post=False)
        bill.button_draft()
        self.assertEqual(bill.xero_state, "changed")
        self.assertFalse(bill.xero_error)

    def test_statuses_in_xero_words(self):
        bill = self.make_move()
        order = self.make_po()
        self.run_export()
        self.run_export("purchase.order")
        self.assertEqual(bill.xero_status, "SUBMITTED")
        self.assertEqual(bill.xero_status_label, "Awaiting Approval")
        self.assertEqual(bill.xero_badge, "Xero: Awaiting Approval")
        self.assertTrue(order.xero_status, order.xero_error)
        words = {"DRAFT": "Draft", "SUBMITTED": "Awaiting Approval", "AUTHORISED": "Approved"}
        self.assertEqual(order.xero_status_label, words[order.xero_status])
        order.xero_status = "BILLED"
        self.assertEqual(order.xero_status_label, "Billed")
        draft = self.make_move(post=False)
        self.assertEqual(draft.xero_badge, "Xero: Not sent")

    def test_sync_log_in_words(self):
        bill = self.make_move()
        self.run_export()
        logs = bill.xero_log_ids
        self.assertTrue(logs)
        for log in logs:
            self.assertNotIn("_", log.operation_label, log.operation)
            self.assertEqual(log.document_type, "Bill")
        Log = self.env["xero.log"]
        self.assertIn("Create invoices and bills in Xero", Log.search([]).mapped("operation_label"))
        self.assertFalse(Log.fields_get(["http_status"])["http_status"].get("aggregator"))
        groups = Log.read_group(
            [("res_id", "=", bill.id), ("res_model", "=", "account.move")],
            ["http_status"],
            ["document_type"],
        )
        self.assertEqual([g["document_type"] for g in groups], ["Bill"])
        self.assertNotIn("http_status", groups[0], "HTTP statuses are not added up")
        words = {
            "get_organisation": "Read the organisation's details",
            "token:authorization_code": "Sign in to Xero (connect)",
            "get_purchase_orders_by_id": "Read one of the purchase orders in Xero",
            "update_contact": "Update suppliers from Xero",
        }
        for code, sentence in words.items():
            log = Log.new({"operation": code})
            self.assertEqual(log.operation_label, sentence)

    def test_bookkeeping_fields_not_offered_to_filter_or_group(self):
        described = self.env["account.move"].fields_get(
            ["xero_pending_key", "xero_retry_at", "xero_send_count", "xero_state"]
        )
        for name in ("xero_pending_key", "xero_retry_at", "xero_send_count"):
            self.assertFalse(described[name]["groupable"], name)
            self.assertFalse(described[name]["searchable"], name)
        self.assertTrue(described["xero_state"]["groupable"])

    def test_webhook_event_links_to_its_document(self):
        bill = self.make_move()
        self.run_export()
        event = self.env["xero.webhook.event"].create(
            {
                "connection_id": self.connection.id,
                "tenant_id": self.connection.tenant_id,
                "event_category": "INVOICE",
                "event_type": "UPDATE",
                "resource_id": bill.xero_id,
                "state": "done",
            }
        )
        self.assertEqual(event.document_ref, bill.display_name)
        action = event.action_open_document()
        self.assertEqual((action["res_model"], action["res_id"]), ("account.move", bill.id))

    def test_open_forms_are_told_when_the_state_moves(self):
        bill = self.make_move()
        self.assertEqual(bill.xero_state, "queued")
        last = self.env["bus.bus"].search([], order="id desc", limit=1).id
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        group = self.env.ref("xero_connector.group_xero_user")
        told = [
            json.loads(row.message)
            for row in self.env["bus.bus"].search([("id", ">", last)])
            if json.loads(row.channel)[-2:] == ["res.groups", group.id]
        ]
        self.assertEqual(
            [m for m in told if m["type"] == "xero_connector/document"],
            [
                {
                    "type": "xero_connector/document",
                    "payload": {"model": "account.move", "ids": [bill.id]},
                }
            ],
            "the browsers of Xero users are told, once for the batch",
        )
