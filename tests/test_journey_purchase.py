"""A buyer approves a purchase order in the browser; it reaches Xero and leaves the
"Not sent to Xero" list."""

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import new_test_user, tagged

from .common import XeroHttpCase


@tagged("post_install", "-at_install")
class TestJourneyPurchase(XeroHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tenant = cls.connect_with_tokens()
        company = cls.env.company
        company.write(
            {
                "xero_export_purchase_order": True,
                "xero_document_status": "SUBMITTED",
                "xero_purchase_account_code": "300",
            }
        )
        contacts = {c["Name"]: c["ContactID"] for c in cls.sandbox.records(tenant, "Contacts")}
        Link = cls.env["xero.link"]
        cls.vendor = cls.env["res.partner"].create({"name": "Journey Supplier", "is_company": True})
        Link._set(cls.connection, cls.vendor, "contact", contacts["Nimbus Packaging LLC"])
        tax = cls.env["account.tax"].create(
            {"name": "Journey purchase 15%", "amount": 15, "type_tax_use": "purchase"}
        )
        Link._set(cls.connection, tax, "tax", "INPUT", xero_code="INPUT")
        product = cls.env["product.product"].create(
            {"name": "Journey paper", "supplier_taxes_id": [Command.set(tax.ids)]}
        )
        accounts = {a["Code"]: a["AccountID"] for a in cls.sandbox.records(tenant, "Accounts")}
        expense = product.product_tmpl_id._get_product_accounts()["expense"]
        Link._set(cls.connection, expense, "account", accounts["300"], xero_code="300")
        cls.buyer = new_test_user(
            cls.env, "journey.buyer", groups="base.group_user,purchase.group_purchase_user"
        )
        cls.order = cls.env["purchase.order"].create(
            {
                "partner_id": cls.vendor.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_qty": 4, "price_unit": 9.5})
                ],
            }
        )

    def test_buyer_approves_and_the_order_reaches_xero(self):
        self.start_tour(
            f"/odoo/action-purchase.purchase_rfq/{self.order.id}",
            "xero_connector_po_approve_tour",
            login="journey.buyer",
        )
        self.assertEqual(self.order.xero_state, "queued")
        # What Odoo's cron worker does a moment later.
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["purchase.order"]._cron_xero_export()
        self.order.invalidate_recordset()
        self.assertEqual(self.order.xero_state, "sent", self.order.xero_error)
        in_xero = [
            po
            for po in self.sandbox.records(self.connection.tenant_id, "PurchaseOrders")
            if po["PurchaseOrderNumber"] == self.order.name
        ]
        self.assertEqual(len(in_xero), 1)
        self.assertEqual(in_xero[0]["Status"], "SUBMITTED")
        self.start_tour(
            "/odoo/purchase-orders", "xero_connector_po_sent_tour", login="journey.buyer"
        )
