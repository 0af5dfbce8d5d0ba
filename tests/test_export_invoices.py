from odoo.tests import tagged

from .export_common import XeroExportCase


@tagged("post_install", "-at_install")
class TestExportInvoices(XeroExportCase):
    def test_customer_invoice_is_accrec_with_our_number_and_discount(self):
        invoice = self.make_move(
            "out_invoice",
            partner=self.customer,
            lines=[{"price_unit": 200.0, "quantity": 1, "discount": 10}],
            ref="PO-CUST-77",
        )
        self.assertEqual(invoice.xero_state, "queued")
        self.run_export()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        doc = self.xero_doc(invoice)
        self.assertEqual(doc["Type"], "ACCREC")
        self.assertEqual(doc["InvoiceNumber"], invoice.name)
        self.assertEqual(doc["Reference"], "PO-CUST-77")
        self.assertEqual(doc["LineItems"][0]["DiscountRate"], 10.0)
        self.assertEqual(doc["LineItems"][0]["AccountCode"], "200")
        self.assertEqual((doc["Total"], doc["TotalTax"]), (207.0, 27.0))
        self.assertFalse(invoice.xero_warning)
        self.assertTrue(invoice.xero_url.endswith(invoice.xero_id), "sandbox page link")
        self.connection.endpoint_url = False
        invoice.invalidate_recordset(["xero_url"])
        self.assertEqual(
            invoice.xero_url,
            f"https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID={invoice.xero_id}",
        )

    def test_tax_type_comes_from_the_link_code(self):
        invoice = self.make_move(
            "out_invoice",
            partner=self.customer,
            lines=[{"price_unit": 10.0, "taxes": self.tax_sale_exempt}],
        )
        self.run_export()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertEqual(self.xero_doc(invoice)["LineItems"][0]["TaxType"], "NONE")

    def test_customer_invoice_export_off_by_type(self):
        self.company.xero_export_customer_invoice = False
        invoice = self.make_move("out_invoice", partner=self.customer)
        self.assertEqual(invoice.xero_state, "not_sent")

    def test_default_sales_account_for_unlinked_income_account(self):
        other = self.env["account.account"].create(
            {"name": "Other income", "code": "XC700", "account_type": "income"}
        )
        self.company.xero_sales_account_code = "260"
        invoice = self.make_move(
            "out_invoice",
            partner=self.customer,
            lines=[{"price_unit": 10.0, "account_id": other.id}],
        )
        self.run_export()
        self.assertEqual(self.xero_doc(invoice)["LineItems"][0]["AccountCode"], "260")

    def test_credit_note_allocated_to_its_invoice_when_both_approved(self):
        self.company.xero_document_status = "AUTHORISED"
        invoice = self.make_move(
            "out_invoice", partner=self.customer, lines=[{"price_unit": 100.0}]
        )
        self.run_export()
        self.assertEqual(invoice.xero_status, "AUTHORISED", invoice.xero_error)
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "damaged"})
        )
        wizard.refund_moves()
        refund = invoice.reversal_move_ids
        refund.action_post()
        self.assertEqual(refund.xero_state, "queued")
        self.run_export()
        self.assertEqual(refund.xero_state, "sent", refund.xero_error)
        note = self.xero_doc(refund)
        self.assertEqual(note["Type"], "ACCRECCREDIT")
        self.assertEqual(note["CreditNoteNumber"], refund.name)
        self.assertEqual(note["Total"], 115.0)
        self.assertEqual(len(note["Allocations"]), 1)
        self.assertEqual(self.xero_doc(invoice)["AmountDue"], 0.0)

    def test_vendor_refund_is_an_accpay_credit_note(self):
        refund = self.make_move("in_refund", ref="SUP-CN-9", lines=[{"price_unit": 40.0}])
        self.run_export()
        self.assertEqual(refund.xero_state, "sent", refund.xero_error)
        note = self.xero_doc(refund)
        self.assertEqual((note["Type"], note["CreditNoteNumber"]), ("ACCPAYCREDIT", "SUP-CN-9"))
        self.assertEqual(note["Total"], 46.0)

    def test_rounding_difference_is_flagged_with_both_figures(self):
        self.company.tax_calculation_rounding_method = "round_globally"
        invoice = self.make_move(
            "out_invoice",
            partner=self.customer,
            lines=[{"price_unit": 0.10}, {"price_unit": 0.10}, {"price_unit": 0.10}],
        )
        self.run_export()
        self.assertEqual(invoice.xero_state, "sent")
        doc = self.xero_doc(invoice)
        self.assertNotEqual(doc["TotalTax"], invoice.amount_tax)
        self.assertIn(str(invoice.amount_total), invoice.xero_warning)
        self.assertIn(f"{doc['Total']:.2f}", invoice.xero_warning)
        self.assertIn("Round per Line", invoice.xero_warning)

    def test_many_invoices_from_list_action(self):
        self.company.xero_customer_invoice_mode = "manual"
        invoices = self.make_move("out_invoice", partner=self.customer) | self.make_move(
            "out_invoice", partner=self.customer
        )
        bad = self.make_move(
            "out_invoice",
            partner=self.customer,
            lines=[{"price_unit": 5.0, "taxes": self.tax_unlinked}],
        )
        action = (invoices | bad).action_xero_send()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertEqual(set(invoices.mapped("xero_state")), {"queued"})
        self.assertEqual(bad.xero_state, "error")
        self.run_export()
        self.assertEqual(set(invoices.mapped("xero_state")), {"sent"})

    def test_allocation_never_exceeds_what_the_credit_note_has_left(self):
        self.company.xero_document_status = "AUTHORISED"
        invoice = self.make_move(
            "out_invoice", partner=self.customer, lines=[{"price_unit": 100.0}]
        )
        self.run_export()
        self.assertEqual(invoice.xero_status, "AUTHORISED", invoice.xero_error)
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "damaged"})
        )
        wizard.refund_moves()
        refund = invoice.reversal_move_ids
        refund.action_post()
        # The invoice is awaiting approval in Xero when the credit note arrives there.
        self.sandbox.put_records(
            self.tenant, "Invoices", [{"InvoiceID": invoice.xero_id, "Status": "SUBMITTED"}]
        )
        self.run_export()
        self.assertEqual(refund.xero_state, "sent", refund.xero_error)
        self.assertEqual(self.xero_doc(refund)["Allocations"], [])
        # Then 40.00 of the credit is refunded in Xero and the invoice approved.
        self.sandbox.put_records(
            self.tenant, "Invoices", [{"InvoiceID": invoice.xero_id, "Status": "AUTHORISED"}]
        )
        client = self.connection._client()
        paid = client.send_batch(
            "payments",
            [
                (
                    "refund-40",
                    {
                        "CreditNote": {"CreditNoteID": refund.xero_id},
                        "Account": {"Code": "090"},
                        "Amount": 40.0,
                        "Date": str(refund.date),
                    },
                )
            ],
        )
        self.assertTrue(paid[0].ok, paid[0].errors)
        record = client.get_record("credit_notes", refund.xero_id)
        self.assertEqual(record["RemainingCredit"], 75.0)
        self.assertEqual(refund._xero_allocate(client, record), [])
        note = self.xero_doc(refund)
        self.assertEqual([a["Amount"] for a in note["Allocations"]], [75.0])
        self.assertEqual(self.xero_doc(invoice)["AmountDue"], 40.0)
