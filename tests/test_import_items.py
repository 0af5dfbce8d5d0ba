from odoo.tests import tagged

from .import_case import ImportCase


@tagged("post_install", "-at_install")
class TestImportItems(ImportCase):
    def test_item_with_accounts_and_taxes_through_links(self):
        self.import_names("account", "Sales", "Purchases")
        self.import_names("tax", "Tax on Purchases", "Tax on Sales")
        wizard = self.wizard("item", search="PAPER")
        self.assertEqual(wizard.line_ids.code, "PAPER-A4")
        wizard.line_ids.selected = True
        wizard.action_import()
        product = self.env["product.product"].search([("default_code", "=", "PAPER-A4")])
        self.assertEqual(len(product), 1)
        self.assertEqual(product.name, "A4 Copier Paper (box)")
        self.assertEqual(product.list_price, 32.0)
        self.assertEqual(product.standard_price, 24.5)
        self.assertEqual(product.description_purchase, "A4 Copier Paper (box)")
        tmpl = product.product_tmpl_id.with_company(self.company)
        self.assertEqual(tmpl.property_account_income_id.code, "200")
        self.assertEqual(tmpl.property_account_expense_id.code, "300")
        tax_links = self.links._find(self.connection, tmpl.taxes_id | tmpl.supplier_taxes_id, "tax")
        self.assertEqual(sorted(tax_links.mapped("xero_code")), ["INPUT", "OUTPUT"])
        self.assertTrue(product.xero_integrated)
        self.assertTrue(product.product_tmpl_id.xero_integrated)

    def test_existing_product_matched_by_code(self):
        product = self.env["product.product"].create(
            {"name": "Toner (Odoo)", "default_code": "TONER-BK"}
        )
        wizard = self.wizard("item", search="Toner")
        line = wizard.line_ids.filtered(lambda line: line.code == "TONER-BK")
        self.assertEqual(line.match_id, product.id)
        line.selected = True
        wizard.action_import()
        self.assertEqual(product.name, "Black Toner Cartridge")
        self.assertEqual(self.linked(product, "item").xero_code, "TONER-BK")

    def test_prices_keep_the_four_decimals_xero_holds(self):
        self.env.ref("product.decimal_price").digits = 4
        wizard = self.wizard("item", search="PALLET")
        line = wizard.line_ids.filtered(lambda line: line.code == "PALLET")
        line.selected = True
        wizard.action_import()
        product = self.env["product.product"].search([("default_code", "=", "PALLET")])
        self.assertEqual(product.standard_price, 12.3456)
