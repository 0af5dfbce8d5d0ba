from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .export_common import XeroExportCase


@tagged("post_install", "-at_install")
class TestOverviewActions(XeroExportCase):
    """Send all not sent / Resend errors from the Overview: the documents' own Send."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "xero_vendor_bill_mode": "manual",
                "xero_customer_invoice_mode": "manual",
                "xero_credit_note_mode": "manual",
                "xero_purchase_order_mode": "manual",
            }
        )
        # Another company, not the user's current one, with a document not sent.
        cls.company_b = cls.env["res.company"].create(
            {"name": "Overview Other Company", "xero_export_purchase_order": True}
        )
        cls.env.user.company_ids |= cls.company_b

    def _row(self, doc_type):
        self.env.flush_all()
        return self.env["xero.overview"].search(
            [("company_id", "=", self.company.id), ("doc_type", "=", doc_type)]
        )

    def _other_company_po(self):
        env_b = self.env(context=dict(self.env.context, allowed_company_ids=[self.company_b.id]))
        order = env_b["purchase.order"].create(
            {
                "partner_id": self.vendor.id,
                "company_id": self.company_b.id,
                "order_line": [(0, 0, {"product_id": self.product.id, "price_unit": 5})],
            }
        )
        order.button_confirm()
        self.assertEqual(order.xero_state, "not_sent")
        return order

    def test_send_all_not_sent_queues_exactly_the_companys_not_sent_documents(self):
        bills = self.make_move() | self.make_move(ref="SUP-2")
        invoice = self.make_move("out_invoice")
        in_error = self.make_move(ref="SUP-3")
        in_error._xero_write({"xero_state": "error", "xero_error": "Earlier refusal"})
        draft = self.make_move(ref="SUP-4", post=False)
        self.company.xero_export_credit_note = False
        refund_off = self.make_move("out_refund")  # its type is not sent to Xero
        other = self._other_company_po()
        self.assertEqual((bills | invoice).mapped("xero_state"), ["not_sent"] * 3)

        result = self.env["xero.overview"].with_company(self.company).action_send_all_not_sent()

        self.assertEqual((bills | invoice).mapped("xero_state"), ["queued"] * 3)
        self.assertEqual(in_error.xero_state, "error")
        self.assertEqual(draft.xero_state, "not_sent")
        self.assertEqual(refund_off.xero_state, "not_sent")
        self.assertEqual(other.xero_state, "not_sent")
        self.assertEqual(result["params"]["message"], "3 documents queued for Xero.")
        self.assertEqual(result["params"]["type"], "success")
        # queued as Send to Xero does: the export then sends them
        self.run_export()
        self.assertEqual((bills | invoice).mapped("xero_state"), ["sent"] * 3)

    def test_send_not_sent_of_one_type_and_refusals_are_counted(self):
        bill = self.make_move()
        unmappable = self.make_move(ref="SUP-2", lines=[{"taxes": self.tax_unlinked}])
        invoice = self.make_move("out_invoice")

        result = self._row("vendor_bill").action_send_not_sent()

        self.assertEqual(bill.xero_state, "queued")
        self.assertEqual(unmappable.xero_state, "error")
        self.assertIn("no Xero tax rate linked", unmappable.xero_error)
        self.assertEqual(invoice.xero_state, "not_sent")
        self.assertEqual(
            result["params"]["message"],
            "1 document queued for Xero. 1 could not be sent: see its Xero error.",
        )
        self.assertEqual(result["params"]["type"], "warning")

    def test_resend_errors_per_type_and_for_all(self):
        bill = self.make_move()
        invoice = self.make_move("out_invoice")
        not_sent = self.make_move(ref="SUP-2")
        (bill | invoice)._xero_write({"xero_state": "error", "xero_error": "Xero was down"})

        result = self._row("vendor_bill").action_resend_errors()
        self.assertEqual(bill.xero_state, "queued")
        self.assertFalse(bill.xero_error)
        self.assertEqual(invoice.xero_state, "error")
        self.assertEqual(not_sent.xero_state, "not_sent")
        self.assertEqual(result["params"]["message"], "1 document queued for Xero.")

        self.env["xero.overview"].action_resend_all_errors()
        self.assertEqual(invoice.xero_state, "queued")
        self.assertEqual(not_sent.xero_state, "not_sent")

    def test_a_single_document_that_cannot_go_says_why(self):
        bill = self.make_move(lines=[{"taxes": self.tax_unlinked}])
        result = self._row("vendor_bill").action_send_not_sent()
        self.assertEqual(bill.xero_state, "not_sent")
        self.assertIn("1 could not be sent", result["params"]["message"])
        self.assertIn("no Xero tax rate linked", result["params"]["message"])

    def test_type_not_sent_to_xero_or_company_not_connected_refuses(self):
        self.company.xero_export_customer_invoice = False
        self.make_move("out_invoice")
        with self.assertRaisesRegex(UserError, "Sending Customer Invoices to Xero is off"):
            self._row("customer_invoice").action_send_not_sent()
        bill = self.make_move()
        self.connection.state = "disconnected"
        with self.assertRaisesRegex(UserError, "not connected to Xero"):
            self.env["xero.overview"].action_send_all_not_sent()
        self.assertEqual(bill.xero_state, "not_sent")

    def test_only_xero_managers_send_from_the_overview(self):
        self.make_move()
        user = new_test_user(
            self.env,
            "xero_overview_user",
            groups="account.group_account_invoice,xero_connector.group_xero_user",
        )
        with self.assertRaises(AccessError):
            self.env["xero.overview"].with_user(user).action_send_all_not_sent()

    def test_panel_counts_what_the_buttons_act_on(self):
        self.make_move()
        self.make_move("out_invoice")._xero_write({"xero_state": "error"})
        self.company.xero_export_credit_note = False
        self.make_move("out_refund")
        panel = self.env["xero.overview"].get_overview_panel()
        self.assertEqual((panel["not_sent"], panel["errors"]), (1, 1))
        # the current company's organisation first
        self.assertEqual(panel["connections"][0]["tenant"], self.connection.tenant_name)
        self.assertTrue(panel["connections"][0]["connected"])
        self.assertEqual(len(panel["connections"]), len(self.env.companies))

    def test_send_all_respects_the_users_access_rights(self):
        """A Xero manager who may only read the books cannot queue them from here."""
        bill = self.make_move()
        user = new_test_user(
            self.env,
            "xero_overview_auditor",
            groups="account.group_account_readonly,xero_connector.group_xero_manager",
        )
        with self.assertRaises(AccessError):
            self.env["xero.overview"].with_user(user).action_send_all_not_sent()
        self.assertEqual(bill.xero_state, "not_sent")
