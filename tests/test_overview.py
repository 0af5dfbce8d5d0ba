from odoo import fields
from odoo.tests import tagged

from .common import XeroCase


@tagged("post_install", "-at_install")
class TestOverview(XeroCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create({"name": "Overview Supplier"})
        cls.bills = cls.env["account.move"]
        for _i in range(3):
            cls.bills |= cls.env["account.move"].create(
                {
                    "move_type": "in_invoice",
                    "partner_id": cls.partner.id,
                    "invoice_date": fields.Date.today(),
                    "invoice_line_ids": [
                        (0, 0, {"name": "Paper", "quantity": 1, "price_unit": 10})
                    ],
                }
            )
        cls.bills.action_post()

    def _row(self, doc_type):
        self.env.flush_all()
        return self.env["xero.overview"].search(
            [("company_id", "=", self.company.id), ("doc_type", "=", doc_type)]
        )

    def test_counts_per_state_and_click_through(self):
        self.bills[0].sudo().xero_state = "error"
        self.bills[1].sudo().xero_state = "sent"
        self.bills[2].sudo().xero_state = "not_sent"
        row = self._row("vendor_bill")
        self.assertEqual(
            (row.not_sent_count, row.queued_count, row.sent_count, row.error_count), (1, 0, 1, 1)
        )
        action = row.with_context(xero_state="error").action_open_documents()
        self.assertEqual(self.env["account.move"].search(action["domain"]), self.bills[0])

    def test_one_card_per_document_type(self):
        rows = self.env["xero.overview"].search([("company_id", "=", self.company.id)])
        self.assertEqual(
            rows.mapped("doc_type"),
            ["purchase_order", "vendor_bill", "customer_invoice", "credit_note"],
        )

    def test_draft_documents_are_not_counted(self):
        draft = self.bills[0].copy()
        self.assertEqual(draft.state, "draft")
        row = self._row("vendor_bill")
        self.assertEqual(
            row.not_sent_count + row.queued_count + row.sent_count + row.error_count, 3
        )
