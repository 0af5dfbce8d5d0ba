from odoo.tests import tagged

from .payment_common import XeroPaymentCase


@tagged("post_install", "-at_install")
class TestStatusFromXero(XeroPaymentCase):
    def set_status_in_xero(self, move, status):
        self.sandbox.put_records(
            self.tenant, "Invoices", [{"InvoiceID": move.xero_id, "Status": status}]
        )

    def test_each_xero_status_is_shown(self):
        self.company.xero_document_status = "SUBMITTED"
        bill = self.exported()
        self.assertEqual(bill.xero_status_label, "Awaiting Approval")
        self.set_status_in_xero(bill, "AUTHORISED")
        self.run_sync()
        self.assertEqual(
            (bill.xero_status, bill.xero_status_label), ("AUTHORISED", "Awaiting Payment")
        )
        self.pay_in_xero(bill)
        self.run_sync()
        self.assertEqual((bill.xero_status, bill.xero_status_label), ("PAID", "Paid"))
        self.assertFalse(bill.xero_attention)
        self.assertEqual(bill.xero_state, "sent")

    def test_draft_status_is_shown(self):
        self.company.xero_document_status = "DRAFT"
        bill = self.exported()
        self.run_sync()
        self.assertEqual(bill.xero_status_label, "Draft")

    def _assert_flagged_not_cancelled(self, move, label):
        self.assertEqual(move.state, "posted", "Odoo does not cancel it by itself")
        self.assertEqual(move.xero_state, "cancelled")
        self.assertEqual(move.xero_status_label, label)
        self.assertIn(f"{label} in Xero", move.xero_attention)
        activity_type = self.env.ref("xero_connector.mail_activity_xero_attention")
        self.assertEqual(
            len(move.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)), 1
        )

    def test_voided_in_xero_is_flagged(self):
        invoice = self.exported("out_invoice", partner=self.customer)
        self.set_status_in_xero(invoice, "VOIDED")
        self.run_sync()
        self._assert_flagged_not_cancelled(invoice, "Voided")
        self.run_sync()
        self._assert_flagged_not_cancelled(invoice, "Voided")

    def test_deleted_in_xero_is_flagged(self):
        self.company.xero_document_status = "SUBMITTED"
        bill = self.exported()
        self.set_status_in_xero(bill, "DELETED")
        self.run_sync()
        self._assert_flagged_not_cancelled(bill, "Deleted")
        self.assertIn(bill, self.env["account.move"].search([("xero_attention", "!=", False)]))

    def test_cancelled_in_odoo_first_is_not_flagged(self):
        bill = self.exported()
        bill.button_cancel()  # voids it in Xero
        self.assertEqual(bill.xero_status, "VOIDED")
        self.run_sync()
        self.assertFalse(bill.xero_attention)

    def test_credit_note_status_and_refund(self):
        note = self.exported("in_refund")
        self.assertEqual(note._xero_kind(), "credit_notes")
        self.sandbox.put_records(
            self.tenant, "CreditNotes", [{"CreditNoteID": note.xero_id, "Status": "VOIDED"}]
        )
        self.run_sync()
        self._assert_flagged_not_cancelled(note, "Voided")
