from odoo.tests import tagged

from .common import XeroCase  # noqa: F401  (shared sandbox and connection setup)
from .import_case import ImportCase


@tagged("post_install", "-at_install")
class TestImportAccounts(ImportCase):
    def test_lists_accounts_with_type_status_and_match(self):
        existing = self.env["account.account"].create(
            {"code": "200", "name": "Odoo Sales", "account_type": "income"}
        )
        wizard = self.wizard("account")
        self.assertGreaterEqual(len(wizard.line_ids), 46)
        self.assertFalse(wizard.has_more)
        sales = wizard.line_ids.filtered(lambda line: line.code == "200")
        # Xero's own words, not its codes (REVENUE, ACTIVE)
        self.assertEqual(sales.xero_kind, "Revenue")
        self.assertEqual(sales.xero_status, "Active")
        self.assertTrue(sales.importable)
        self.assertFalse(sales.integrated)
        self.assertEqual(sales.match_id, existing.id, "proposed match by code")

    def test_import_creates_links_and_matches_by_code(self):
        existing = self.env["account.account"].create(
            {"code": "200", "name": "Odoo Sales", "account_type": "income"}
        )
        wizard = self.wizard("account")
        chosen = wizard.line_ids.filtered(lambda line: line.code in ("200", "090", "310"))
        chosen.write({"selected": True})
        wizard.action_import()
        self.assertIn("1 linked", wizard.result)
        self.assertIn("2 created", wizard.result)
        self.assertEqual(self.linked(existing, "account").xero_code, "200")
        self.assertEqual(existing.name, "Sales", "Xero wins on first mapping")
        Account = self.env["account.account"].with_company(self.company)
        bank = Account.search([("code", "=", "090")])
        self.assertEqual(bank.account_type, "asset_cash")
        self.assertTrue(bank.xero_integrated)
        self.assertIn(self.company, bank.company_ids)
        self.assertTrue(all(line.integrated for line in chosen))
        # importing again is harmless
        chosen.write({"selected": True})
        wizard.action_import()
        self.assertIn("3 updated", wizard.result)
        self.assertEqual(Account.search_count([("code", "=", "090")]), 1)

    def test_incompatible_type_is_shown_disabled_and_refused(self):
        self.sandbox.put_records(
            self.tenant,
            "Accounts",
            [
                {
                    "AccountID": "0000aaaa-0000-4000-8000-000000000001",
                    "Code": "477",
                    "Name": "PAYG Withholdings",
                    "Type": "PAYG",
                    "Status": "ACTIVE",
                    "Class": "LIABILITY",
                }
            ],
        )
        wizard = self.wizard("account", search="PAYG")
        self.assertEqual(len(wizard.line_ids), 1, "searched in Xero")
        line = wizard.line_ids
        self.assertFalse(line.importable)
        self.assertIn("PAYG accounts have no Odoo equivalent", line.reason)
        counts, errors = self.env["xero.import.account"]._import(self.connection, [line.payload])
        self.assertFalse(sum(counts.values()))
        self.assertIn("PAYG", errors[0])
        self.assertFalse(self.env["account.account"].search([("code", "=", "477")]))

    def test_search_is_sent_to_xero(self):
        since = self.last_seq()
        wizard = self.wizard("account", search="Bank")
        call = [c for c in self.sandbox.calls(since) if c["path"].endswith("/Accounts")][-1]
        self.assertIn("where=", call["query"])
        self.assertTrue(wizard.line_ids)
        self.assertTrue(all("bank" in (line.name + line.code).lower() for line in wizard.line_ids))

    def test_account_shared_by_two_companies_links_per_organisation(self):
        company_b = self.env["res.company"].create({"name": "Company B"})
        account = self.env["account.account"].create(
            {"code": "200", "name": "Shared Sales", "account_type": "income"}
        )
        account.with_company(company_b).code = "4000"
        account.company_ids = [(4, company_b.id)]
        self.import_names("account", "Sales")
        self.assertEqual(
            len(
                self.links.search(
                    [("res_id", "=", account.id), ("res_model", "=", "account.account")]
                )
            ),
            1,
        )
        self.assertEqual(self.linked(account, "account").connection_id, self.connection)

    def test_search_copes_with_accounts_without_code_and_with_quotes(self):
        # Xero bank accounts may have no Code; a filter calling Code.Contains on them
        # fails in Xero unless it guards the empty field.
        self.sandbox.put_records(
            self.tenant,
            "Accounts",
            [
                {
                    "AccountID": "5e0c0de0-0000-4000-8000-0000000000aa",
                    "Name": 'Petty Cash "Front Desk"',
                    "Type": "BANK",
                    "Status": "ACTIVE",
                    "Class": "ASSET",
                    "BankAccountNumber": "12-3456",
                    "CurrencyCode": "USD",
                    "UpdatedDateUTC": "/Date(1700000000000+0000)/",
                }
            ],
        )
        wizard = self.wizard("account", search="Petty")
        self.assertEqual(wizard.line_ids.mapped("name"), ['Petty Cash "Front Desk"'])
        wizard = self.wizard("account", search='Cash "Front')
        self.assertEqual(wizard.line_ids.mapped("name"), ['Petty Cash "Front Desk"'])
        since = self.last_seq()
        self.wizard("account", search="Bank")
        calls = [c for c in self.sandbox.calls(since) if c["path"].endswith("/Accounts")]
        self.assertEqual([c["status"] for c in calls], [200])
