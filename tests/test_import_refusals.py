from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CLIENT_ID, CLIENT_SECRET
from .import_case import ImportCase


@tagged("post_install", "-at_install")
class TestImportRefusals(ImportCase):
    def test_import_without_selection_says_what_to_do(self):
        wizard = self.wizard("account")
        with self.assertRaisesRegex(UserError, "Select the Xero records to import first"):
            wizard.action_import()

    def test_account_without_code_is_not_importable(self):
        self.sandbox.put_records(
            self.tenant,
            "Accounts",
            [
                {
                    "AccountID": "0000eeee-0000-4000-8000-000000000001",
                    "Code": "",
                    "Name": "Codeless Expense",
                    "Type": "EXPENSE",
                    "Status": "ACTIVE",
                }
            ],
        )
        wizard = self.wizard("account", search="Codeless")
        self.assertFalse(wizard.line_ids.importable)
        self.assertIn("no code", wizard.line_ids.reason)

    def test_non_recoverable_sales_rate_is_refused(self):
        self.sandbox.put_records(
            self.tenant,
            "TaxRates",
            [
                {
                    "TaxType": "TAX012",
                    "Name": "Odd sales rate",
                    "ReportTaxType": "OUTPUT",
                    "Status": "ACTIVE",
                    "TaxComponents": [
                        {"Name": "X", "Rate": 5.0, "IsCompound": False, "IsNonRecoverable": True}
                    ],
                }
            ],
        )
        wizard = self.wizard("tax", search="Odd sales rate")
        self.assertFalse(wizard.line_ids.importable)
        self.assertIn("only exist on purchases", wizard.line_ids.reason)

    def test_update_of_a_company_not_connected(self):
        company = self.env["res.company"].create({"name": "Not Connected Co"})
        company.xero_connection_id.write(
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "endpoint_url": self.sandbox.url,
            }
        )
        state = self.env["xero.sync.state"].with_company(company)
        with self.assertRaisesRegex(UserError, "is not connected to Xero"):
            state.action_update_from_xero()
        # the scheduled Update skips it and still updates the connected company
        self.import_names("account", "Rent")
        state._cron_xero_update()
        self.assertTrue(self.env["xero.sync.state"]._get(self.connection, "account").last_sync_at)

    def test_a_record_odoo_refuses_is_reported_and_the_others_imported(self):
        self.sandbox.put_records(
            self.tenant,
            "Accounts",
            [
                {
                    "AccountID": "0000eeee-0000-4000-8000-000000000002",
                    "Code": "4-100",
                    "Name": "Dashed Code Expense",
                    "Type": "EXPENSE",
                    "Status": "ACTIVE",
                }
            ],
        )
        wizard = self.wizard("account")
        wizard.line_ids.filtered(lambda line: line.code in ("4-100", "469", "473")).selected = True
        wizard.action_import()
        self.assertIn("2 created", wizard.result)
        self.assertIn("Dashed Code Expense: The account code can only contain", wizard.result)
        self.assertFalse(self.env["account.account"].search([("name", "=", "Dashed Code Expense")]))
