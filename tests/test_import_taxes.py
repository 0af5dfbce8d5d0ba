from odoo.tests import tagged

from .import_case import ImportCase


@tagged("post_install", "-at_install")
class TestImportTaxes(ImportCase):
    def _taxes(self, rec_name):
        links = self.links.search(
            [("connection_id", "=", self.connection.id), ("xero_type", "=", "tax")]
        ).filtered(lambda link: link.xero_name == rec_name)
        return (
            self.env["account.tax"].with_context(active_test=False).browse(links.mapped("res_id"))
        )

    def test_simple_rate_matches_existing_tax_by_rate_and_type(self):
        existing = self.env["account.tax"].search(
            [
                ("type_tax_use", "=", "purchase"),
                ("amount", "=", 15),
                ("company_id", "=", self.company.id),
            ],
            limit=1,
        )
        self.assertTrue(existing, "the generic chart has a 15% purchase tax")
        wizard = self.wizard("tax")
        line = self.line(wizard, "Tax on Purchases")
        self.assertEqual(line.match_id, existing.id)
        line.selected = True
        wizard.action_import()
        link = self.linked(existing, "tax")
        self.assertEqual(link.xero_id, "INPUT")
        self.assertEqual(link.xero_code, "INPUT", "Xero's TaxType kept on the link")
        self.assertEqual(
            link.xero_applies_to,
            "ASSET,EQUITY,EXPENSE,LIABILITY,REVENUE",
            "the classes of account Xero allows the rate on",
        )
        self.assertTrue(existing.xero_integrated)
        self.assertEqual(
            self.env["xero.import.tax"]._tax_types(self.connection, existing),
            {existing.id: "INPUT"},
        )

    def test_components_give_the_rate(self):
        self.import_names("tax", "State and City Tax", "GST + PST (compound)")
        state_city = self._taxes("State and City Tax")
        self.assertEqual(state_city.mapped("type_tax_use"), ["purchase"])
        self.assertAlmostEqual(state_city.amount, 8.0)
        compound = self._taxes("GST + PST (compound)")
        self.assertEqual(compound.type_tax_use, "sale")
        self.assertAlmostEqual(compound.amount, 12.35, msg="5% then 7% on top: Xero's rate")

    def test_rate_for_both_sides_gives_a_purchase_and_a_sale_tax(self):
        self.import_names("tax", "No Tax")
        taxes = self._taxes("No Tax")
        self.assertEqual(sorted(taxes.mapped("type_tax_use")), ["purchase", "sale"])
        links = self.links._find(self.connection, taxes, "tax")
        self.assertEqual(sorted(links.mapped("xero_id")), ["NONE", "NONE:sale"])
        self.assertEqual(set(links.mapped("xero_code")), {"NONE"})

    def test_non_recoverable_component_splits_the_tax(self):
        self.sandbox.put_records(
            self.tenant,
            "TaxRates",
            [
                {
                    "TaxType": "TAX010",
                    "Name": "Partly recoverable",
                    "ReportTaxType": "INPUT",
                    "Status": "ACTIVE",
                    "TaxComponents": [
                        {
                            "Name": "Recoverable",
                            "Rate": 6.0,
                            "IsCompound": False,
                            "IsNonRecoverable": False,
                        },
                        {
                            "Name": "Lost",
                            "Rate": 4.0,
                            "IsCompound": False,
                            "IsNonRecoverable": True,
                        },
                    ],
                    "DisplayTaxRate": 10.0,
                    "EffectiveRate": 10.0,
                }
            ],
        )
        self.import_names("tax", "Partly recoverable")
        tax = self._taxes("Partly recoverable")
        self.assertAlmostEqual(tax.amount, 10.0)
        lines = tax.invoice_repartition_line_ids.filtered(lambda r: r.repartition_type == "tax")
        self.assertEqual(sorted(lines.mapped("factor_percent")), [40.0, 60.0])
        self.assertFalse(lines.filtered(lambda r: r.factor_percent == 40.0).account_id)

    def test_compound_with_non_recoverable_is_refused_clearly(self):
        self.sandbox.put_records(
            self.tenant,
            "TaxRates",
            [
                {
                    "TaxType": "TAX011",
                    "Name": "Compound and lost",
                    "ReportTaxType": "INPUT",
                    "Status": "ACTIVE",
                    "TaxComponents": [
                        {"Name": "A", "Rate": 5.0, "IsCompound": False, "IsNonRecoverable": True},
                        {"Name": "B", "Rate": 5.0, "IsCompound": True, "IsNonRecoverable": False},
                    ],
                }
            ],
        )
        wizard = self.wizard("tax", search="Compound and lost")
        line = self.line(wizard, "Compound and lost")
        self.assertFalse(line.importable)
        self.assertIn("compound and non-recoverable", line.reason)

    def test_deleted_rate_is_not_importable(self):
        wizard = self.wizard("tax")
        line = self.line(wizard, "Old Purchases Rate")
        self.assertFalse(line.importable)
        self.assertIn("Deleted", line.reason)
