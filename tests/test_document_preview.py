from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..xero.dates import parse_date
from .export_common import XeroExportCase


@tagged("post_install", "-at_install")
class TestDocumentPreview(XeroExportCase):
    """Preview for Xero: what the send would put in Xero and why Odoo would refuse it,
    built without calling Xero; what the send then stores in Xero is what was shown."""

    def preview(self, doc):
        action = doc.action_xero_preview()
        self.assertEqual(action["res_model"], "xero.document.preview")
        return self.env["xero.document.preview"].browse(action["res_id"])

    def preview_quietly(self, doc):
        """The preview, asserting it neither called Xero nor changed the document."""
        since = self.mark()
        before = (doc.xero_state, doc.xero_error, len(doc.message_ids))
        preview = self.preview(doc)
        self.assertFalse(self.calls(since), "a preview calls nothing in Xero")
        doc.invalidate_recordset()
        self.assertEqual((doc.xero_state, doc.xero_error, len(doc.message_ids)), before)
        return preview

    def assert_preview_is_sent(self, preview, xero):
        """Lines and totals of the preview equal the document Xero stored."""
        self.assertEqual(len(preview.line_ids), len(xero["LineItems"]))
        for line, item in zip(preview.line_ids, xero["LineItems"], strict=True):
            self.assertEqual(
                (
                    line.description,
                    line.quantity,
                    line.unit_amount,
                    line.discount_rate,
                    line.account_code,
                    line.tax_type,
                    line.line_amount,
                    line.tax_amount,
                ),
                (
                    item["Description"],
                    item["Quantity"],
                    item["UnitAmount"],
                    item.get("DiscountRate") or 0.0,
                    item["AccountCode"],
                    item["TaxType"],
                    item["LineAmount"],
                    item["TaxAmount"],
                ),
            )
        self.assertEqual(
            (preview.subtotal, preview.tax, preview.total),
            (xero["SubTotal"], xero["TotalTax"], xero["Total"]),
        )
        self.assertEqual(preview.currency_id.name, xero["CurrencyCode"])
        self.assertEqual(preview.amounts_are, xero["LineAmountTypes"])

    # -- refusals --------------------------------------------------------------------------
    def test_preview_lists_unmapped_tax_and_still_shows_the_lines(self):
        self.company.xero_vendor_bill_mode = "manual"
        bill = self.make_move(
            ref="SUP-PRV-1",
            lines=[
                {"name": "Toner", "price_unit": 80.0, "taxes": self.tax_unlinked},
                {"name": "Paper", "price_unit": 20.0, "quantity": 3},
            ],
        )
        preview = self.preview_quietly(bill)
        self.assertEqual(preview.refusal_count, 1, preview.refusals)
        self.assertIn("Line 'Toner': tax XC Unlinked 5% has no Xero tax rate", preview.refusals)
        self.assertEqual(bill._xero_refusals(), [preview.refusals.removeprefix("• ")])
        toner, paper = preview.line_ids
        self.assertEqual(
            (toner.description, toner.account_code, toner.tax_type, toner.incomplete),
            ("Toner", "300", False, True),
        )
        self.assertEqual(
            (paper.description, paper.quantity, paper.unit_amount, paper.line_amount),
            ("Paper", 3.0, 20.0, 60.0),
        )
        self.assertEqual((paper.tax_type, paper.tax_rate, paper.tax_amount), ("INPUT", 15.0, 9.0))
        self.assertFalse(paper.incomplete)
        self.assertEqual(toner.tax_label, "Missing: no Xero tax rate")
        self.assertEqual(
            (paper.account_label, paper.tax_label),
            (f"300 {self.expense_account.display_name}", "XC Purchase 15% (15%)"),
        )
        self.assertEqual(preview.document_type, "Bill")
        self.assertEqual(
            (preview.number, preview.organisation), ("SUP-PRV-1", "Demo Company (Global)")
        )
        self.assertEqual(preview.contact_state, "linked")
        self.assertEqual(preview.send_status, "Awaiting Approval")

    def test_preview_says_what_odoo_knows_from_xero(self):
        """Contact archived in Xero, a currency Xero was seen without, a document
        approved in Xero: refused by the send, listed by the preview."""
        self.company.xero_vendor_bill_mode = "manual"
        link = self.env["xero.link"]._find(self.connection, self.archived_vendor, "contact")
        link.xero_status = "ARCHIVED"
        archived = self.make_move(partner=self.archived_vendor, ref="SUP-PRV-2")
        preview = self.preview_quietly(archived)
        self.assertEqual(preview.contact_state, "archived")
        self.assertIn("Defunct Supplies Ltd is archived in Xero", preview.refusals)

        bill = self.make_move(ref="SUP-PRV-3")
        bill.action_xero_send()
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        bill._xero_write({"xero_status": "AUTHORISED", "xero_state": "changed"})
        preview = self.preview_quietly(bill)
        self.assertEqual(preview.operation, "update")
        self.assertEqual(preview.xero_status_now, "Awaiting Payment")
        self.assertIn("Approved in Xero", preview.refusals)

        chf = self.env.ref("base.CHF")
        chf.active = True
        self.env["xero.connection"]._xero_currency_codes(self.connection._client())
        since = self.mark()
        foreign = self.make_move(ref="SUP-PRV-4", currency_id=chf.id)
        preview = self.preview_quietly(foreign)
        self.assertIn("currency CHF is not enabled", preview.refusals)
        self.assertFalse(self.calls(since))

    def test_preview_names_an_account_archived_in_xero_which_xero_then_refuses(self):
        self.company.xero_vendor_bill_mode = "manual"
        account = self.archived_in_xero_account
        self.env["xero.link"]._find(self.connection, account, "account").xero_status = "ARCHIVED"
        bill = self.make_move(
            ref="SUP-PRV-5",
            lines=[{"name": "Old stuff", "account_id": account.id}],
        )
        preview = self.preview_quietly(bill)
        self.assertIn("Line 'Old stuff': the Xero account 499", preview.refusals)
        self.assertIn("is archived in Xero", preview.refusals)
        self.assertFalse(bill._xero_refusals(), "the send itself does not know it")
        bill.action_xero_send()
        self.run_export()
        self.assertEqual(bill.xero_state, "error")
        self.assertIn("499", bill.xero_error, "and Xero refuses it")

    def test_preview_without_connection_or_type_enabled(self):
        self.company.xero_vendor_bill_mode = "manual"
        bill = self.make_move()
        self.company.xero_export_vendor_bill = False
        self.assertIn("off for", self.preview_quietly(bill).refusals)
        draft = self.make_move(post=False)
        self.assertIn("post it first", self.preview_quietly(draft).refusals)
        self.company.xero_export_vendor_bill = True
        self.connection.state = "disconnected"
        preview = self.preview_quietly(bill)
        self.assertIn("is not connected to Xero", preview.refusals)
        self.assertEqual(len(preview.line_ids), 1, "the lines are shown all the same")

    def test_send_from_the_preview(self):
        self.company.xero_vendor_bill_mode = "manual"
        bill = self.make_move(ref="SUP-PRV-20")
        preview = self.preview_quietly(bill)
        self.assertFalse(preview.refusals)
        action = preview.action_send()
        self.assertEqual(action["params"]["next"], {"type": "ir.actions.act_window_close"})
        self.assertEqual(bill.xero_state, "queued")
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)

    # -- what the send then stores in Xero ---------------------------------------------------
    def test_preview_of_mapped_bill_is_what_xero_stores(self):
        self.company.xero_vendor_bill_mode = "manual"
        newcomer = self.env["res.partner"].create({"name": "Preview Newcomer Ltd"})
        bill = self.make_move(
            partner=newcomer,
            ref="SUP-PRV-10",
            lines=[
                {"name": "Paper", "price_unit": 9.99, "discount": 15, "quantity": 10},
                {"name": "Ink", "price_unit": 2.35, "discount": 3, "quantity": 1000},
                {"name": "Freight", "price_unit": 12.5, "taxes": self.env["account.tax"]},
            ],
        )
        preview = self.preview_quietly(bill)
        self.assertFalse(preview.refusals)
        self.assertEqual(preview.contact_state, "match")
        self.assertEqual(preview.operation, "create")
        self.assertIn("Odoo's 15% discount is in the unit price", preview.line_ids[0].discount_note)
        self.assertEqual(preview.line_ids[2].tax_name, "No tax")
        self.assertEqual(preview.total, bill.amount_total)
        bill.action_xero_send()
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        xero = self.xero_doc(bill)
        self.assert_preview_is_sent(preview, xero)
        self.assertEqual(xero["Contact"]["Name"], preview.contact_name)
        self.assertEqual((xero["InvoiceNumber"], xero["Type"]), (preview.number, "ACCPAY"))
        for field, day in (("Date", preview.date), ("DueDate", preview.due_date)):
            self.assertEqual(parse_date(xero[field]).date(), day)

    def test_preview_of_rounded_sales_invoice_is_what_xero_stores(self):
        self.company.write(
            {
                "xero_customer_invoice_mode": "manual",
                "xero_rounding_account_code": "860",
                "tax_calculation_rounding_method": "round_globally",
            }
        )
        invoice = self.make_move(
            "out_invoice",
            partner=self.customer,
            lines=[
                {"price_unit": 1.03},
                {"price_unit": 1.03},
                {"price_unit": 1.03, "discount": 10, "quantity": 2},
            ],
        )
        preview = self.preview_quietly(invoice)
        self.assertFalse(preview.refusals)
        rounding = preview.line_ids[-1]
        self.assertTrue(rounding.is_rounding)
        self.assertEqual((rounding.account_code, rounding.line_amount), ("860", preview.rounding))
        self.assertTrue(preview.rounding)
        self.assertEqual(preview.line_ids[2].discount_rate, 10.0)
        self.assertEqual(preview.total, invoice.amount_total)
        self.assertFalse(preview.totals_note)
        invoice.action_xero_send()
        self.run_export()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assert_preview_is_sent(preview, self.xero_doc(invoice))

    def test_preview_of_credit_note_is_what_xero_stores(self):
        self.company.xero_vendor_bill_mode = "manual"
        refund = self.make_move(
            "in_refund",
            ref="SUP-CN-PRV",
            lines=[{"price_unit": 9.99, "discount": 15, "quantity": 10}],
        )
        preview = self.preview_quietly(refund)
        self.assertFalse(preview.refusals)
        self.assertEqual(preview.document_type, "Credit note from a supplier")
        refund.action_xero_send()
        self.run_export()
        self.assertEqual(refund.xero_state, "sent", refund.xero_error)
        xero = self.xero_doc(refund)
        self.assertEqual(xero["Type"], "ACCPAYCREDIT")
        self.assert_preview_is_sent(preview, xero)

    def test_preview_warns_when_xero_total_will_differ(self):
        self.company.write(
            {
                "xero_customer_invoice_mode": "manual",
                "tax_calculation_rounding_method": "round_globally",
            }
        )
        invoice = self.make_move(
            "out_invoice",
            partner=self.customer,
            lines=[{"price_unit": 1.03}, {"price_unit": 1.03}, {"price_unit": 1.03}],
        )
        preview = self.preview_quietly(invoice)
        self.assertEqual((preview.total, preview.odoo_total), (3.54, 3.55))
        self.assertFalse(preview.rounding)
        self.assertIn("3.54", preview.totals_note)
        self.assertIn("3.55", preview.totals_note)
        invoice.action_xero_send()
        self.run_export()
        self.assertEqual(self.xero_doc(invoice)["Total"], preview.total)

    def test_preview_of_purchase_order_is_what_xero_stores(self):
        self.company.xero_purchase_order_mode = "manual"
        account, _north = self.linked_tracking_option()
        order = self.make_po(
            lines=[
                {"price_unit": 9.99, "discount": 15, "product_qty": 10},
                {"price_unit": 24.5, "product_qty": 3, "analytic_distribution": {account.id: 100}},
            ],
            partner_ref="REF-PRV",
        )
        preview = self.preview_quietly(order)
        self.assertFalse(preview.refusals)
        self.assertEqual(preview.document_type, "Purchase order")
        self.assertEqual((preview.number, preview.reference), (order.name, "REF-PRV"))
        self.assertTrue(preview.delivery_date)
        self.assertEqual(preview.line_ids[0].item_code, "PAPER-A4")
        self.assertIn("10 x 9.99 less 15%", preview.line_ids[0].description)
        order.action_xero_send()
        self.run_export("purchase.order")
        self.assertEqual(order.xero_state, "sent", order.xero_error)
        xero = self.xero_doc(order)
        self.assert_preview_is_sent(preview, xero)
        self.assertEqual(xero["Reference"], preview.reference)
        tracking = xero["LineItems"][1]["Tracking"][0]
        self.assertEqual(preview.line_ids[1].tracking, f"{tracking['Name']}: {tracking['Option']}")
        self.assertEqual(preview.line_ids[1].tracking, "Region: North")

    # -- who may preview ---------------------------------------------------------------------
    def test_preview_needs_read_access_to_the_document(self):
        self.company.xero_vendor_bill_mode = "manual"
        bill = self.make_move()
        other = self.env["res.company"].create({"name": "Preview Other Co"})
        outsider = self.env["res.users"].create(
            {
                "name": "Outsider",
                "login": "preview-outsider",
                "company_id": other.id,
                "company_ids": [Command.set(other.ids)],
                "groups_id": [Command.set(self.env.ref("account.group_account_invoice").ids)],
            }
        )
        with self.assertRaises(AccessError):
            self.env["xero.document.preview"].with_user(outsider).create(
                {"res_model": "account.move", "res_id": bill.id}
            )
        plain = self.env["res.users"].create(
            {
                "name": "Plain",
                "login": "preview-plain",
                "groups_id": [Command.set(self.env.ref("base.group_user").ids)],
            }
        )
        with self.assertRaises(AccessError):
            self.env["xero.document.preview"].with_user(plain).create(
                {"res_model": "account.move", "res_id": bill.id}
            )
        clerk = self.env["res.users"].create(
            {
                "name": "Clerk",
                "login": "preview-clerk",
                "groups_id": [Command.set(self.env.ref("account.group_account_invoice").ids)],
            }
        )
        preview = self.preview(bill.with_user(clerk))
        self.assertEqual(preview.create_uid, clerk)
        self.assertEqual(len(preview.line_ids), 1)
        colleague = clerk.copy({"login": "preview-colleague"})
        with self.assertRaises(AccessError):
            preview.with_user(colleague).read(["refusals"])
        with self.assertRaises(AccessError):
            preview.line_ids.with_user(colleague).read(["description"])
