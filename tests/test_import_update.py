from odoo.tests import tagged

from .import_case import ImportCase

SALES = "Sales"


@tagged("post_install", "-at_install")
class TestImportUpdate(ImportCase):
    def _update(self):
        return self.env["xero.sync.state"].action_update_from_xero()["params"]["message"]

    def _xero_row(self, collection, **match):
        return next(
            r for r in self.xero(collection) if all(r.get(k) == v for k, v in match.items())
        )

    def test_nothing_changed_says_so(self):
        self.import_names("account", SALES)
        self.import_names("contact", "Nimbus Packaging LLC")
        self.assertEqual(self._update(), "Nothing to update")
        state = self.env["xero.sync.state"]._get(self.connection, "account")
        self.assertTrue(state.last_sync_at)
        self.assertEqual(self._update(), "Nothing to update")
        cron = self.env.ref("xero_connector.ir_cron_xero_update")
        self.assertTrue(cron.active, "switched on by the first Update")

    def test_changes_and_archives_are_applied_with_counts(self):
        self.import_names("account", SALES, "Advertising")
        self.import_names("contact", "Nimbus Packaging LLC")
        self.import_names("tax", "State and City Tax")
        self.import_names("item", "Standing Desk")
        self.assertEqual(self._update(), "Nothing to update")
        sales = self._xero_row("Accounts", Code="200")
        advertising = self._xero_row("Accounts", Name="Advertising")
        nimbus = self._xero_row("Contacts", Name="Nimbus Packaging LLC")
        rate = self._xero_row("TaxRates", TaxType="TAX002")
        desk = self._xero_row("Items", Code="DESK-01")
        # the sandbox keeps its data across the tests of a class: put it back after
        self.addCleanup(self.sandbox.put_records, self.tenant, "Accounts", [sales, advertising])
        self.addCleanup(self.sandbox.put_records, self.tenant, "Contacts", [nimbus])
        self.addCleanup(self.sandbox.put_records, self.tenant, "TaxRates", [rate])
        self.addCleanup(self.sandbox.put_records, self.tenant, "Items", [desk])
        self.sandbox.put_records(
            self.tenant,
            "Accounts",
            [
                {"AccountID": sales["AccountID"], "Name": "Sales (renamed in Xero)"},
                {"AccountID": advertising["AccountID"], "Status": "ARCHIVED"},
            ],
        )
        self.sandbox.put_records(
            self.tenant,
            "Contacts",
            [{"ContactID": nimbus["ContactID"], "ContactStatus": "ARCHIVED"}],
        )
        components = [dict(c) for c in rate["TaxComponents"]]
        components[1]["Rate"] = 3.0
        self.sandbox.put_records(
            self.tenant, "TaxRates", [{"TaxType": "TAX002", "TaxComponents": components}]
        )
        self.sandbox.put_records(
            self.tenant,
            "Items",
            [
                {
                    "ItemID": desk["ItemID"],
                    "SalesDetails": dict(desk["SalesDetails"], UnitPrice=499.0),
                }
            ],
        )
        message = self._update()
        self.assertIn("Chart of Accounts: 1 updated, 1 archived", message)
        self.assertIn("Suppliers: 1 archived", message)
        self.assertIn("Tax Rates: 1 updated", message)
        self.assertIn("Items: 1 updated", message)
        Account = self.env["account.account"].with_company(self.company)
        self.assertEqual(Account.search([("code", "=", "200")]).name, "Sales (renamed in Xero)")
        self.assertTrue(Account.search([("name", "=", "Advertising")]).deprecated)
        partner = self.links._records_by_xero_id(
            self.connection, "res.partner", "contact", [nimbus["ContactID"]]
        )[nimbus["ContactID"]]
        self.assertFalse(partner.active)
        tax = self.env["account.tax"].browse(
            self.links.search(
                [("connection_id", "=", self.connection.id), ("xero_id", "=", "TAX002")]
            ).res_id
        )
        self.assertAlmostEqual(tax.amount, 9.0)
        product = self.env["product.product"].search([("default_code", "=", "DESK-01")])
        self.assertEqual(product.list_price, 499.0)
        self.assertEqual(self._update(), "Nothing to update")

    def test_new_tracking_option_arrives_on_update(self):
        self.import_names("tracking", "Region")
        region = self._xero_row("TrackingCategories", Name="Region")
        self.addCleanup(self.sandbox.put_records, self.tenant, "TrackingCategories", [region])
        options = [
            *region["Options"],
            {
                "TrackingOptionID": "0000cccc-0000-4000-8000-000000000001",
                "Name": "Central",
                "Status": "ACTIVE",
                "TrackingCategoryID": region["TrackingCategoryID"],
            },
        ]
        self.sandbox.put_records(
            self.tenant,
            "TrackingCategories",
            [{"TrackingCategoryID": region["TrackingCategoryID"], "Options": options}],
        )
        self.assertIn("Tracking Categories: 1 updated", self._update())
        plan = self.links._records_by_xero_id(
            self.connection,
            "account.analytic.plan",
            "tracking_category",
            [region["TrackingCategoryID"]],
        )[region["TrackingCategoryID"]]
        self.assertIn("Central", plan.account_ids.mapped("name"))

    def test_update_menu_and_wizard_button(self):
        wizard = self.import_names("account", SALES)
        wizard.action_update()
        self.assertEqual(wizard.result, "Nothing to update")
        action = self.env.ref("xero_connector.xero_update_action")
        result = action.with_context(active_model="xero.sync.state").run()
        self.assertEqual(result["params"]["message"], "Nothing to update")

    def test_a_change_odoo_refuses_is_logged_and_skipped(self):
        self.import_names("account", "Rent")
        rent = self._xero_row("Accounts", Name="Rent")
        self.addCleanup(self.sandbox.put_records, self.tenant, "Accounts", [rent])
        self.sandbox.put_records(
            self.tenant, "Accounts", [{"AccountID": rent["AccountID"], "Code": "4-69"}]
        )
        self.assertIn("Chart of Accounts: 1 failed", self._update())
        Account = self.env["account.account"].with_company(self.company)
        self.assertTrue(Account.search([("code", "=", "469")]).xero_integrated, "left as it was")
        log = self.env["xero.log"].search([("operation", "=", "update_account")])
        self.assertIn("was not updated from Xero", log.message)
