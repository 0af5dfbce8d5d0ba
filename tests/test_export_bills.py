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

    # -- refusals: nothing sent, the reason on the document -------------------------------
    def _assert_refused(self, doc, text, since):
        self.assertEqual(doc.xero_state, "error")
        self.assertIn(text, doc.xero_error)
        self.assertFalse(doc.xero_id)
        self.assertFalse(self.calls(since, method="PUT", path="/Invoices"), "nothing sent")
        self.assertIn(text, doc.message_ids[:1].body)

    def test_refused_without_partner(self):
        bill = self.make_move()
        self.env.cr.execute(
            "UPDATE account_move SET partner_id = NULL, commercial_partner_id = NULL WHERE id = %s",
            [bill.id],
        )
        self.env.invalidate_all()
        since = self.mark()
        self.run_export()
        self._assert_refused(bill, "no partner", since)

    def test_refused_without_lines(self):
        draft = self.make_move(post=False)
        draft.invoice_line_ids.unlink()
        self.assertIn("The document has no lines to send.", draft._xero_refusals())

    def test_refused_when_account_has_no_link_and_no_default(self):
        since = self.mark()
        bill = self.make_move(lines=[{"price_unit": 50.0, "account_id": self.unlinked_account.id}])
        self.run_export()
        self._assert_refused(bill, "has no Xero account", since)

    def test_default_purchase_account_is_used_for_unlinked_accounts(self):
        self.company.xero_purchase_account_code = "429"
        bill = self.make_move(lines=[{"price_unit": 50.0, "account_id": self.unlinked_account.id}])
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        self.assertEqual(self.xero_doc(bill)["LineItems"][0]["AccountCode"], "429")

    def test_refused_when_tax_has_no_link(self):
        since = self.mark()
        bill = self.make_move(lines=[{"price_unit": 50.0, "taxes": self.tax_unlinked}])
        self.run_export()
        self._assert_refused(bill, "has no Xero tax rate", since)

    def test_refused_when_currency_not_enabled_in_xero(self):
        chf = self.env.ref("base.CHF")
        chf.active = True
        since = self.mark()
        bill = self.make_move(currency_id=chf.id)
        self.run_export()
        self._assert_refused(bill, "CHF is not enabled", since)

    def test_multi_currency_bill(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            {
                "currency_id": eur.id,
                "rate": 0.8,
                "name": "2020-01-01",
                "company_id": self.company.id,
            }
        )
        bill = self.make_move(currency_id=eur.id, lines=[{"price_unit": 80.0}])
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        doc = self.xero_doc(bill)
        self.assertEqual((doc["CurrencyCode"], doc["Total"]), ("EUR", 92.0))
        self.assertEqual(doc["CurrencyRate"], 0.8, "Odoo's rate, not Xero's day rate")

    def test_partner_archived_in_xero_is_refused_by_xero(self):
        bill = self.make_move(partner=self.archived_vendor)
        self.run_export()
        self.assertEqual(bill.xero_state, "error")
        self.assertIn("archived", bill.xero_error)
        self.assertFalse(bill.xero_id)
        self.assertTrue(bill.xero_log_ids.filtered(lambda r: r.outcome == "error"))

    def test_resend_after_fixing_the_cause(self):
        bill = self.make_move(lines=[{"price_unit": 50.0, "account_id": self.unlinked_account.id}])
        self.run_export()
        self.assertEqual(bill.xero_state, "error")
        self.env["xero.link"]._set(
            self.connection,
            self.unlinked_account,
            "account",
            self.xero_accounts["429"],
            xero_code="429",
        )
        bill.action_xero_resend()
        self.assertEqual(bill.xero_state, "queued")
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        self.assertFalse(bill.xero_error)

    # -- line mapping -----------------------------------------------------------------
    def test_four_decimal_unit_prices(self):
        self.env.ref("product.decimal_price").digits = 5
        since = self.mark()
        bill = self.make_move(lines=[{"price_unit": 1.23456, "quantity": 100}])
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        line = self.xero_doc(bill)["LineItems"][0]
        self.assertEqual(line["UnitAmount"], 1.2346)
        put = self.calls(since, method="PUT", path="/Invoices")
        self.assertIn("unitdp=4", put[0]["query"])

    def test_taxes_included_in_price(self):
        bill = self.make_move(lines=[{"price_unit": 108.0, "taxes": self.tax_purchase_incl}])
        self.run_export()
        doc = self.xero_doc(bill)
        self.assertEqual(doc["LineAmountTypes"], "Inclusive")
        self.assertEqual((doc["Total"], doc["TotalTax"]), (108.0, 8.0))
        self.assertFalse(bill.xero_warning, "totals agree with Odoo's")

    def test_mixed_tax_modes_are_refused(self):
        since = self.mark()
        bill = self.make_move(
            lines=[{"price_unit": 10.0}, {"price_unit": 10.8, "taxes": self.tax_purchase_incl}]
        )
        self.run_export()
        self._assert_refused(bill, "one mode per document", since)

    def test_item_code_and_tracking_from_analytic_distribution(self):
        regions = {c["Name"]: c for c in self.sandbox.records(self.tenant, "TrackingCategories")}
        Plan = self.env["account.analytic.plan"]
        Account = self.env["account.analytic.account"]
        Link = self.env["xero.link"]
        chosen = []
        for plan_name, option in (("Region", "North"), ("Department", "Sales")):
            plan = Plan.create({"name": plan_name})
            account = Account.create({"name": option, "plan_id": plan.id})
            category = regions[plan_name]
            opt = next(o for o in category["Options"] if o["Name"] == option)
            Link._set(self.connection, plan, "tracking_category", category["TrackingCategoryID"])
            Link._set(self.connection, account, "tracking_option", opt["TrackingOptionID"])
            chosen.append(account)
        key = f"{chosen[0].id},{chosen[1].id}"
        bill = self.make_move(
            lines=[
                {
                    "product_id": self.product.id,
                    "price_unit": 24.5,
                    "analytic_distribution": {key: 100},
                }
            ]
        )
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        line = self.xero_doc(bill)["LineItems"][0]
        self.assertEqual(line["ItemCode"], "PAPER-A4")
        self.assertEqual(
            sorted((t["Name"], t["Option"]) for t in line["Tracking"]),
            [("Department", "Sales"), ("Region", "North")],
        )

    def test_split_analytic_distribution_is_refused(self):
        plan = self.env["account.analytic.plan"].create({"name": "Region"})
        a1, a2 = self.env["account.analytic.account"].create(
            [{"name": "North", "plan_id": plan.id}, {"name": "South", "plan_id": plan.id}]
        )
        since = self.mark()
        bill = self.make_move(
            lines=[{"price_unit": 10.0, "analytic_distribution": {str(a1.id): 50, str(a2.id): 50}}]
        )
        self.run_export()
        self._assert_refused(bill, "analytic distribution is split", since)

    def test_unlinked_partners_get_a_xero_contact_first(self):
        newcomer = self.env["res.partner"].create({"name": "Brand New Supplier Co"})
        bills = self.make_move(partner=newcomer) | self.make_move(partner=newcomer, ref="SUP-2")
        since = self.mark()
        self.run_export()
        self.assertEqual(set(bills.mapped("xero_state")), {"sent"}, bills.mapped("xero_error"))
        contact = self.env["xero.link"]._xero_ids(self.connection, newcomer, "contact")
        self.assertTrue(contact)
        self.assertEqual(
            {self.xero_doc(b)["Contact"]["ContactID"] for b in bills}, set(contact.values())
        )
        self.assertEqual(len(self.calls(since, method="PUT", path="/Invoices")), 1, "one batch")

    def test_companies_without_xero_are_left_alone(self):
        self.connection.sudo().write({"state": "disconnected"})
        bill = self.make_move()
        self.assertEqual(bill.xero_state, "not_sent")
        self.assertFalse(bill.xero_error)

    def test_search_filters_and_group_by(self):
        sent = self.make_move(ref="SUP-F1")
        failed = self.make_move(lines=[{"price_unit": 5.0, "taxes": self.tax_unlinked}])
        self.run_export()
        draft = self.make_move(post=False)
        view = self.env.ref("xero_connector.account_move_view_search")
        arch = view.arch
        self.assertIn('name="xero_not_sent"', arch)
        self.assertIn("'group_by': 'xero_state'", arch)
        Move = self.env["account.move"]
        not_sent = Move.search(
            [
                ("state", "=", "posted"),
                ("move_type", "in", ("in_invoice", "in_refund", "out_invoice", "out_refund")),
                ("xero_state", "in", ("not_sent", "queued", "error")),
                ("company_id.xero_connection_ids.state", "in", ("connected", "reconnect")),
            ]
        )
        self.assertIn(failed, not_sent)
        self.assertNotIn(sent, not_sent)
        self.assertNotIn(draft, not_sent)
        self.assertEqual(Move.search([("xero_state", "=", "error")]), failed)
        groups = dict(
            Move._read_group([("id", "in", (sent | failed).ids)], ["xero_state"], ["__count"])
        )
        self.assertEqual(groups, {"sent": 1, "error": 1})

    def test_partner_known_archived_is_refused_without_calling_xero(self):
        self.env["xero.link"]._find(self.connection, self.archived_vendor, "contact").write(
            {"xero_status": "ARCHIVED"}
        )
        since = self.mark()
        bill = self.make_move(partner=self.archived_vendor)
        self.run_export()
        self._assert_refused(bill, "archived in Xero", since)

    def test_unlinked_partner_matches_existing_xero_contact_by_name(self):
        twin = self.env["res.partner"].create({"name": "Union Printing Partners"})
        contacts_before = len(self.sandbox.records(self.tenant, "Contacts"))
        bill = self.make_move(partner=twin)
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        self.assertEqual(self.xero_doc(bill)["Contact"]["Name"], "Union Printing Partners")
        self.assertEqual(len(self.sandbox.records(self.tenant, "Contacts")), contacts_before)
