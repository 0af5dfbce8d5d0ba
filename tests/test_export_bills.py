from odoo.exceptions import UserError
from odoo.tests import tagged

from .export_common import XeroExportCase


@tagged("post_install", "-at_install")
class TestExportBills(XeroExportCase):
    def test_posted_bill_is_queued_and_sent_once(self):
        bill = self.make_move(ref="SUP-1001", lines=[{"price_unit": 100.0, "quantity": 2}])
        self.assertEqual(bill.xero_state, "queued")
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.env.ref("xero_connector.ir_cron_xero_export_account_move").id)]
        )
        self.assertTrue(trigger, "posting triggers the export cron")
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        self.assertEqual(bill.xero_status, "SUBMITTED")
        doc = self.xero_doc(bill)
        self.assertEqual(doc["Type"], "ACCPAY")
        self.assertEqual(doc["InvoiceNumber"], "SUP-1001")
        self.assertTrue(doc["Url"].endswith(f"/odoo/account.move/{bill.id}"))
        self.assertEqual(doc["Contact"]["Name"], "Nimbus Packaging LLC")
        self.assertEqual(doc["Total"], 230.0)
        line = doc["LineItems"][0]
        self.assertEqual((line["AccountCode"], line["TaxType"]), ("300", "INPUT"))
        self.assertEqual(bill.invoice_line_ids.xero_line_id, line["LineItemID"])
        self.assertEqual(bill.xero_number, "SUP-1001")
        self.assertIn(
            "AccountsPayable/View.aspx?InvoiceID=",
            bill.xero_url.replace(
                self.sandbox.url, "https://go.xero.com/AccountsPayable/View.aspx?InvoiceID="
            )
            or "",
        )
        self.assertTrue(bill.xero_log_ids, "the document's tab lists its calls")
        # A second run sends nothing more.
        since = self.mark()
        self.run_export()
        self.assertFalse(self.calls(since, method="PUT"))
        self.assertEqual(len(self.xero_docs(Url=doc["Url"])), 1)

    def test_export_disabled_for_company_refuses(self):
        self.company.xero_export_vendor_bill = False
        bill = self.make_move()
        self.assertEqual(bill.xero_state, "not_sent", "automatic export is off")
        with self.assertRaisesRegex(UserError, "off for"):
            bill.action_xero_send()

    def test_manual_mode_sends_only_on_button(self):
        self.company.xero_vendor_bill_mode = "manual"
        bill = self.make_move()
        self.assertEqual(bill.xero_state, "not_sent")
        bill.action_xero_send()
        self.assertEqual(bill.xero_state, "queued")
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
