"""An accountant runs the month's reconciliation in the browser and fixes a difference."""

from datetime import timedelta

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tests import tagged

from .common import XeroHttpCase


@tagged("post_install", "-at_install")
class TestReconciliationTour(XeroHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tenant = cls.connect_with_tokens()
        company = cls.env.company
        company.write(
            {
                "xero_export_vendor_bill": True,
                "xero_vendor_bill_mode": "manual",
                "xero_document_status": "SUBMITTED",
            }
        )
        contacts = {c["Name"]: c["ContactID"] for c in cls.sandbox.records(tenant, "Contacts")}
        accounts = {a["Code"]: a["AccountID"] for a in cls.sandbox.records(tenant, "Accounts")}
        Link = cls.env["xero.link"]
        vendor = cls.env["res.partner"].create({"name": "Recon Supplier", "is_company": True})
        Link._set(cls.connection, vendor, "contact", contacts["Nimbus Packaging LLC"])
        tax = cls.env["account.tax"].create(
            {"name": "Recon purchase 15%", "amount": 15, "type_tax_use": "purchase"}
        )
        Link._set(cls.connection, tax, "tax", "INPUT", xero_code="INPUT")
        expense = cls.env["account.account"].search(
            [("company_ids", "in", company.id), ("account_type", "=", "expense")], limit=1
        )
        Link._set(cls.connection, expense, "account", accounts["300"], xero_code="300")
        today = fields.Date.context_today(cls.env["xero.reconciliation"])
        cls.bill = cls.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": vendor.id,
                "invoice_date": today,
                "ref": "RECON-TOUR-1",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Paper",
                            "quantity": 1,
                            "price_unit": 80.0,
                            "account_id": expense.id,
                            "tax_ids": [Command.set(tax.ids)],
                        }
                    )
                ],
            }
        )
        cls.bill.action_post()
        start = today.replace(day=1)
        cls.recon = cls.env["xero.reconciliation"].create(
            {
                "date_from": start,
                "date_to": (start + timedelta(days=32)).replace(day=1) - timedelta(days=1),
            }
        )

    def test_accountant_runs_the_reconciliation_and_resends_a_bill(self):
        self.sandbox.limits(reset=True)
        self.env["xero.rate.budget"]._reset()
        self.assertEqual(self.bill.xero_state, "not_sent")
        url = f"/odoo/action-xero_connector.xero_reconciliation_action/{self.recon.id}"
        self.start_tour(url, "xero_connector_recon_run_tour", login="admin")
        self.assertEqual(self.recon.state, "queued")
        # What the cron worker does a moment later.
        self.assertTrue(self.recon._run(), self.recon.error_message)
        self.assertEqual(self.recon.odoo_only_count, 1)
        self.start_tour(url, "xero_connector_recon_fix_tour", login="admin")
        self.assertEqual(self.bill.xero_state, "queued")
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["account.move"]._cron_xero_export()
        self.bill.invalidate_recordset()
        self.assertEqual(self.bill.xero_state, "sent", self.bill.xero_error)
        self.assertTrue(self.recon._run())
        line = self.recon.line_ids.filtered(lambda x: x.res_id == self.bill.id)
        self.assertEqual(line.category, "match")
