"""A company connected to the sandbox's demo organisation, with its accounts, taxes,
tracking and two suppliers/customers linked the way the import wizard links them."""

from odoo import SUPERUSER_ID, Command, api, fields

from .common import DEMO_ORG, XeroCase, org_id


class XeroExportCase(XeroCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connect()
        cls.tenant = org_id(cls.sandbox, DEMO_ORG)
        cls.company.write(
            {
                "xero_export_purchase_order": True,
                "xero_export_vendor_bill": True,
                "xero_export_customer_invoice": True,
                "xero_export_credit_note": True,
                "xero_document_status": "SUBMITTED",
            }
        )
        seed = {c: cls.sandbox.records(cls.tenant, c) for c in ("Accounts", "Contacts", "Items")}
        cls.xero_accounts = {a["Code"]: a["AccountID"] for a in seed["Accounts"]}
        contacts = {c["Name"]: c["ContactID"] for c in seed["Contacts"]}
        Link = cls.env["xero.link"]
        conn = cls.connection
        Account = cls.env["account.account"]
        cls.expense_account = Account.search(
            [("company_ids", "in", cls.company.id), ("account_type", "=", "expense")], limit=1
        )
        cls.income_account = Account.search(
            [("company_ids", "in", cls.company.id), ("account_type", "=", "income")], limit=1
        )
        cls.unlinked_account = Account.create(
            {"name": "Not in Xero", "code": "XC999", "account_type": "expense"}
        )
        cls.archived_in_xero_account = Account.create(
            {"name": "Old expenses", "code": "XC499", "account_type": "expense"}
        )
        Link._set(conn, cls.expense_account, "account", cls.xero_accounts["300"], xero_code="300")
        Link._set(conn, cls.income_account, "account", cls.xero_accounts["200"], xero_code="200")
        Link._set(
            conn,
            cls.archived_in_xero_account,
            "account",
            cls.xero_accounts["499"],
            xero_code="499",
        )
        Tax = cls.env["account.tax"]
        cls.tax_purchase = Tax.create(
            {"name": "XC Purchase 15%", "amount": 15, "type_tax_use": "purchase"}
        )
        cls.tax_purchase_incl = Tax.create(
            {
                "name": "XC Purchase 8% incl.",
                "amount": 8,
                "type_tax_use": "purchase",
                "price_include_override": "tax_included",
            }
        )
        cls.tax_sale = Tax.create({"name": "XC Sales 15%", "amount": 15, "type_tax_use": "sale"})
        cls.tax_unlinked = Tax.create(
            {"name": "XC Unlinked 5%", "amount": 5, "type_tax_use": "purchase"}
        )
        Link._set(conn, cls.tax_purchase, "tax", "INPUT", xero_code="INPUT")
        Link._set(conn, cls.tax_purchase_incl, "tax", "TAX002", xero_code="TAX002")
        Link._set(conn, cls.tax_sale, "tax", "OUTPUT", xero_code="OUTPUT")
        # One Xero rate serving an Odoo purchase tax and an Odoo sale tax, as the import
        # links it: the second link's id is "<TaxType>:sale", its code the TaxType.
        cls.tax_sale_exempt = Tax.create(
            {"name": "XC Exempt sales", "amount": 0, "type_tax_use": "sale"}
        )
        Link._set(conn, cls.tax_sale_exempt, "tax", "NONE:sale", xero_code="NONE")
        Partner = cls.env["res.partner"]
        cls.vendor = Partner.create({"name": "Nimbus Packaging LLC", "is_company": True})
        cls.vendor2 = Partner.create({"name": "Summit Packaging LLC", "is_company": True})
        cls.customer = Partner.create({"name": "Iris Freight Ltd", "is_company": True})
        cls.archived_vendor = Partner.create({"name": "Defunct Supplies Ltd", "is_company": True})
        for partner in (cls.vendor, cls.vendor2, cls.customer, cls.archived_vendor):
            Link._set(conn, partner, "contact", contacts[partner.name], xero_name=partner.name)
        cls.product = cls.env["product.product"].create(
            {
                "name": "A4 Copier Paper (box)",
                "type": "consu",
                "standard_price": 24.5,
                "list_price": 32.0,
                "property_account_expense_id": cls.expense_account.id,
                "property_account_income_id": cls.income_account.id,
                "supplier_taxes_id": [Command.set(cls.tax_purchase.ids)],
                "taxes_id": [Command.set(cls.tax_sale.ids)],
            }
        )
        paper = next(i for i in seed["Items"] if i["Code"] == "PAPER-A4")
        Link._set(conn, cls.product, "item", paper["ItemID"], xero_code="PAPER-A4")

    def setUp(self):
        super().setUp()
        self.sandbox.clear_faults()
        self._retire_xero_documents()

    def _retire_xero_documents(self):
        """Documents of earlier tests are deleted in the sandbox: Odoo numbers restart
        in every test (the test transaction is rolled back) and must not clash."""
        for collection, key in (("Invoices", "InvoiceID"), ("CreditNotes", "CreditNoteID")):
            rows = [
                {key: r[key], "Status": "DELETED"}
                for r in self.sandbox.records(self.tenant, collection)
                if r.get("Status") != "DELETED"
            ]
            if rows:
                self.sandbox.put_records(self.tenant, collection, rows)

    # -- documents ---------------------------------------------------------------------
    def make_move(self, move_type="in_invoice", partner=None, lines=None, post=True, **vals):
        partner = self.vendor if partner is None else partner
        sales = move_type.startswith("out_")
        lines = lines or [{"price_unit": 100.0}]
        line_cmds = []
        for line in lines:
            line = dict(line)
            taxes = line.pop("taxes", self.tax_sale if sales else self.tax_purchase)
            line_cmds.append(
                Command.create(
                    dict(
                        {
                            "name": "Copier paper",
                            "quantity": 1,
                            "account_id": (
                                self.income_account if sales else self.expense_account
                            ).id,
                            "tax_ids": [Command.set(taxes.ids)],
                        },
                        **line,
                    )
                )
            )
        values = {
            "move_type": move_type,
            "partner_id": partner.id if partner else False,
            "invoice_date": fields.Date.today(),
            "invoice_line_ids": line_cmds,
        }
        if not sales:
            values["ref"] = vals.pop("ref", f"SUP-{len(line_cmds)}")
        values.update(vals)
        move = self.env["account.move"].create(values)
        if post:
            move.action_post()
        return move

    def linked_tracking_option(self, category="Region", option="North"):
        """An analytic account linked to the sandbox's tracking ``option`` of
        ``category`` (its plan linked to the category), and Xero's option."""
        categories = self.sandbox.records(self.tenant, "TrackingCategories")
        xero_category = next(c for c in categories if c["Name"] == category)
        xero_option = next(o for o in xero_category["Options"] if o["Name"] == option)
        plan = self.env["account.analytic.plan"].create({"name": category})
        account = self.env["account.analytic.account"].create({"name": option, "plan_id": plan.id})
        Link = self.env["xero.link"]
        Link._set(self.connection, plan, "tracking_category", xero_category["TrackingCategoryID"])
        Link._set(self.connection, account, "tracking_option", xero_option["TrackingOptionID"])
        return account, xero_option

    def make_po(self, partner=None, lines=None, confirm=True, **vals):
        partner = partner or self.vendor
        lines = lines or [{"price_unit": 24.5, "product_qty": 10}]
        order = self.env["purchase.order"].create(
            dict(
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create(dict({"product_id": self.product.id}, **line))
                        for line in lines
                    ],
                },
                **vals,
            )
        )
        if confirm:
            order.button_confirm()
        return order

    # -- running the cron the way Odoo's cron worker does (its own cursor) -----------------
    def run_export(self, model="account.move"):
        self.env.flush_all()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            done = env[model]._cron_xero_export()
        self.env.invalidate_all()
        return done

    def xero_docs(self, collection="Invoices", **match):
        rows = self.sandbox.records(self.tenant, collection)
        return [
            r
            for r in rows
            if r.get("Status") != "DELETED" and all(r.get(k) == v for k, v in match.items())
        ]

    def xero_doc(self, doc):
        kind = doc._xero_kind()
        collection = {"invoices": "Invoices", "credit_notes": "CreditNotes"}.get(
            kind, "PurchaseOrders"
        )
        id_field = {"invoices": "InvoiceID", "credit_notes": "CreditNoteID"}.get(
            kind, "PurchaseOrderID"
        )
        rows = [
            r for r in self.sandbox.records(self.tenant, collection) if r[id_field] == doc.xero_id
        ]
        return rows[0] if rows else None

    def mark(self):
        rows = self.sandbox.calls()
        return rows[-1]["seq"] if rows else 0

    def calls(self, since=0, method=None, path=None):
        rows = self.sandbox.calls(since)
        return [
            c
            for c in rows
            if (method is None or c["method"] == method)
            and (path is None or c["path"].endswith(path))
        ]
