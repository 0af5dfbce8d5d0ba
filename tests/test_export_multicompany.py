from odoo import Command, fields
from odoo.tests import tagged

from .common import CLIENT_ID, CLIENT_SECRET, SECOND_ORG, org_id
from .export_common import XeroExportCase


@tagged("post_install", "-at_install")
class TestExportMultiCompany(XeroExportCase):
    """Two companies, two organisations: each document goes to its company's own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        gbp = cls.env.ref("base.GBP")
        gbp.active = True
        cls.company_b = cls.env["res.company"].create({"name": "UK Company", "currency_id": gbp.id})
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company_b, install_demo=False
        )
        cls.company_b.write(
            {
                "currency_id": gbp.id,  # the generic chart sets USD
                "xero_export_vendor_bill": True,
                "xero_document_status": "DRAFT",
            }
        )
        cls.connection_b = cls.company_b.xero_connection_id
        cls.connection_b.write(
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "endpoint_url": cls.sandbox.url,
            }
        )
        cls.connect(cls.connection_b, tenants=(SECOND_ORG,))
        cls.tenant_b = org_id(cls.sandbox, SECOND_ORG)
        env_b = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company_b.id]))
        cls.env_b = env_b
        cls.expense_b = env_b["account.account"].search(
            [("company_ids", "in", cls.company_b.id), ("account_type", "=", "expense")], limit=1
        )
        cls.tax_b = env_b["account.tax"].create(
            {
                "name": "UK purchase 20%",
                "amount": 20,
                "type_tax_use": "purchase",
                "company_id": cls.company_b.id,
            }
        )
        accounts_b = {
            a["Code"]: a["AccountID"] for a in cls.sandbox.records(cls.tenant_b, "Accounts")
        }
        Link = cls.env["xero.link"]
        Link._set(cls.connection_b, cls.expense_b, "account", accounts_b["300"], xero_code="300")
        Link._set(cls.connection_b, cls.tax_b, "tax", "INPUT", xero_code="INPUT")

    def test_each_company_sends_to_its_own_organisation(self):
        bill_a = self.make_move(ref="A-1")
        bill_b = self.env_b["account.move"].create(
            {
                "move_type": "in_invoice",
                "company_id": self.company_b.id,
                "journal_id": self.env_b["account.journal"]
                .search(
                    [("company_id", "=", self.company_b.id), ("type", "=", "purchase")], limit=1
                )
                .id,
                "partner_id": self.vendor.id,  # shared partner: a new contact in org B
                "invoice_date": fields.Date.today(),
                "ref": "B-1",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Tea",
                            "quantity": 1,
                            "price_unit": 10.0,
                            "account_id": self.expense_b.id,
                            "tax_ids": [Command.set(self.tax_b.ids)],
                        }
                    )
                ],
            }
        )
        bill_b.action_post()
        self.assertEqual((bill_a.xero_state, bill_b.xero_state), ("queued", "queued"))
        self.run_export()
        self.assertEqual(bill_a.xero_state, "sent", bill_a.xero_error)
        self.assertEqual(bill_b.xero_state, "sent", bill_b.xero_error)
        self.assertEqual(bill_a.xero_connection_id, self.connection)
        self.assertEqual(bill_b.xero_connection_id, self.connection_b)
        in_b = [
            i
            for i in self.sandbox.records(self.tenant_b, "Invoices")
            if i["InvoiceID"] == bill_b.xero_id
        ]
        self.assertEqual(len(in_b), 1)
        self.assertEqual(
            (in_b[0]["CurrencyCode"], in_b[0]["Status"], in_b[0]["Total"]), ("GBP", "DRAFT", 12.0)
        )
        self.assertFalse(self.xero_docs(InvoiceID=bill_b.xero_id), "not in the other organisation")
        contacts = self.env["xero.link"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.vendor.id)]
        )
        self.assertEqual(len(contacts), 2, "one contact per organisation")

    def test_cron_reads_company_dependent_values_in_the_documents_company(self):
        """The cron runs in no particular company: a purchase order of company B takes
        B's expense account of the product, and its new supplier B's payment terms."""
        expense_b2 = self.env_b["account.account"].create(
            {
                "name": "UK overheads",
                "code": "XCB429",
                "account_type": "expense",
                "company_ids": [Command.set(self.company_b.ids)],
            }
        )
        accounts_b = {
            a["Code"]: a["AccountID"] for a in self.sandbox.records(self.tenant_b, "Accounts")
        }
        self.env["xero.link"]._set(
            self.connection_b, expense_b2, "account", accounts_b["429"], xero_code="429"
        )
        self.product.with_company(self.company_b).property_account_expense_id = expense_b2
        supplier = self.env["res.partner"].create({"name": "Kiwi Crates Ltd", "is_company": True})
        term = self.env.ref("account.account_payment_term_30days")
        supplier.with_company(self.company_b).property_supplier_payment_term_id = term
        self.company_b.write(
            {"xero_export_purchase_order": True, "xero_purchase_account_code": "300"}
        )
        order = self.env_b["purchase.order"].create(
            {
                "company_id": self.company_b.id,
                "partner_id": supplier.id,
                "currency_id": self.company_b.currency_id.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "product_qty": 2,
                            "price_unit": 5.0,
                            "taxes_id": [Command.set(self.tax_b.ids)],
                        }
                    )
                ],
            }
        )
        order.button_confirm()
        self.assertEqual(order.xero_state, "queued", order.xero_error)
        self.run_export("purchase.order")
        self.assertEqual(order.xero_state, "sent", order.xero_error)
        po = next(
            p
            for p in self.sandbox.records(self.tenant_b, "PurchaseOrders")
            if p["PurchaseOrderID"] == order.xero_id
        )
        self.assertEqual(po["LineItems"][0]["AccountCode"], "429")
        contact = next(
            c
            for c in self.sandbox.records(self.tenant_b, "Contacts")
            if c["Name"] == "Kiwi Crates Ltd"
        )
        self.assertEqual(contact["PaymentTerms"]["Bills"]["Day"], 30)
