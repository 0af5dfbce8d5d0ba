from odoo.tests import tagged

from .import_case import ImportCase

NIMBUS = "59abb933-70c0-5d48-8ac7-f8f05bdfd7e9"
IRIS = "62732a09-f02c-56bc-a7f4-60c1d10d2b31"


@tagged("post_install", "-at_install")
class TestImportContacts(ImportCase):
    def test_pages_of_one_hundred_and_load_more(self):
        wizard = self.wizard("contact")
        self.assertEqual(len(wizard.line_ids), 100)
        self.assertTrue(wizard.has_more)
        self.assertGreaterEqual(wizard.total, 171)
        first_page = set(wizard.line_ids.mapped("xero_id"))
        since = self.last_seq()
        wizard.action_load_more()
        call = [c for c in self.sandbox.calls(since) if c["path"].endswith("/Contacts")][-1]
        self.assertIn("page=2", call["query"])
        self.assertEqual(len(wizard.line_ids), wizard.total)
        self.assertFalse(wizard.has_more)
        self.assertEqual(len(set(wizard.line_ids.mapped("xero_id"))), wizard.total, "no repeats")
        self.assertTrue(first_page < set(wizard.line_ids.mapped("xero_id")))
        wizard.action_select_all()
        self.assertEqual(len(wizard.line_ids.filtered("selected")), wizard.total)
        wizard.action_select_none()
        self.assertFalse(wizard.line_ids.filtered("selected"))

    def test_search_term_goes_to_xero(self):
        since = self.last_seq()
        wizard = self.wizard("contact", search="Nimbus Packaging LLC")
        call = [c for c in self.sandbox.calls(since) if c["path"].endswith("/Contacts")][-1]
        self.assertIn("searchTerm=Nimbus", call["query"])
        self.assertEqual(wizard.line_ids.mapped("xero_id"), [NIMBUS])

    def test_supplier_imported_with_its_details(self):
        wizard = self.wizard("contact", search="Nimbus Packaging LLC")
        wizard.line_ids.selected = True
        wizard.action_import()
        partner = self.links._records_by_xero_id(
            self.connection, "res.partner", "contact", [NIMBUS]
        )[NIMBUS]
        self.assertTrue(partner.is_company)
        self.assertGreater(partner.supplier_rank, 0)
        self.assertEqual(partner.ref, "C0001")
        self.assertEqual(partner.email, "accounts@nimbuspackagingllc.example.com")
        self.assertEqual(partner.vat, "DE462398405")
        self.assertEqual(partner.phone, "+1 204 555-2208")
        self.assertEqual(partner.country_id.code, "DE")
        self.assertEqual(partner.city, "Berlin")
        self.assertEqual(partner.property_purchase_currency_id.name, "USD")
        self.assertTrue(partner.xero_integrated)
        self.assertTrue(wizard.line_ids.integrated)
        # again: harmless
        wizard.line_ids.selected = True
        wizard.action_import()
        self.assertEqual(self.env["res.partner"].search_count([("vat", "=", "DE462398405")]), 1)

    def test_matched_by_vat_and_xero_wins_on_first_mapping(self):
        partner = self.env["res.partner"].create(
            {"name": "IRIS FREIGHT (old name)", "vat": "US184615385", "is_company": True}
        )
        wizard = self.wizard("contact", search="Iris Freight")
        line = wizard.line_ids.filtered(lambda line: line.xero_id == IRIS)
        self.assertEqual(line.match_id, partner.id, "proposed match shown in the wizard")
        self.assertFalse(line.integrated)
        line.selected = True
        wizard.action_import()
        self.assertIn("1 linked", wizard.result)
        self.assertEqual(partner.name, "Iris Freight Ltd")
        self.assertEqual(self.linked(partner, "contact").xero_id, IRIS)

    def test_duplicate_supplier_names_link_one_partner(self):
        first, second = self.env["res.partner"].create(
            [
                {"name": "Summit Packaging LLC", "is_company": True, "supplier_rank": 1},
                {"name": "Summit Packaging LLC", "is_company": False},
            ]
        )
        wizard = self.wizard("contact", search="Summit Packaging LLC")
        self.assertEqual(wizard.line_ids.match_id, first.id, "the company supplier is proposed")
        wizard.line_ids.selected = True
        wizard.action_import()
        self.assertTrue(self.linked(first, "contact"))
        self.assertFalse(self.linked(second, "contact"))

    def test_archived_in_xero_arrives_archived(self):
        wizard = self.wizard("contact", search="Defunct")
        line = wizard.line_ids
        self.assertEqual(line.xero_status, "Archived")
        line.selected = True
        wizard.action_import()
        partner = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("name", "=", "Defunct Supplies Ltd")])
        )
        self.assertEqual(len(partner), 1)
        self.assertFalse(partner.active)
        self.assertTrue(self.linked(partner, "contact"))

    def test_bank_account_and_payment_terms_where_odoo_has_them(self):
        contact_id = "0000ffff-0000-4000-8000-000000000001"
        self.sandbox.put_records(
            self.tenant,
            "Contacts",
            [
                {
                    "ContactID": contact_id,
                    "Name": "Terms And Bank Supplier",
                    "ContactStatus": "ACTIVE",
                    "BankAccountDetails": "12-3456-7890123-00",
                    "PaymentTerms": {"Bills": {"Day": 30, "Type": "DAYSAFTERBILLDATE"}},
                    "Addresses": [],
                    "Phones": [],
                }
            ],
        )
        wizard = self.wizard("contact", search="Terms And Bank Supplier")
        wizard.line_ids.selected = True
        wizard.action_import()
        partner = self.links._records_by_xero_id(
            self.connection, "res.partner", "contact", [contact_id]
        )[contact_id].with_company(self.company)
        self.assertEqual(partner.bank_ids.acc_number, "12-3456-7890123-00")
        term = partner.property_supplier_payment_term_id
        self.assertEqual(term.line_ids.nb_days, 30)
        # a second import does not add the bank account twice
        wizard.line_ids.selected = True
        wizard.action_import()
        self.assertEqual(len(partner.bank_ids), 1)
