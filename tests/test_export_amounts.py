from odoo.tests import tagged

from .export_common import XeroExportCase


@tagged("post_install", "-at_install")
class TestExportAmounts(XeroExportCase):
    """Every amount Xero books equals Odoo's to the cent: discounted lines, purchase
    orders at 2 decimals, rounding lines for Xero's per-line tax."""

    def assert_same_amounts(self, doc):
        self.assertEqual(doc.xero_state, "sent", doc.xero_error)
        xero = self.xero_doc(doc)
        for line, item in zip(doc._xero_lines(), xero["LineItems"], strict=False):
            amount = line.price_total if line.tax_ids.price_include else line.price_subtotal
            self.assertEqual(item["LineAmount"], amount, item)
        self.assertEqual((xero["Total"], xero["TotalTax"]), (doc.amount_total, doc.amount_tax))
        self.assertFalse(doc.xero_warning)
        return xero

    def test_discounted_bill_sends_the_unrounded_net_price(self):
        since = self.mark()
        bill = self.make_move(
            lines=[
                {"price_unit": 9.99, "discount": 15, "quantity": 10},
                {"price_unit": 2.35, "discount": 3, "quantity": 1000},
            ]
        )
        self.run_export()
        xero = self.assert_same_amounts(bill)
        self.assertEqual(bill.invoice_line_ids[0].price_subtotal, 84.92)
        self.assertEqual(
            [(i["Quantity"], i["UnitAmount"]) for i in xero["LineItems"]],
            [(10.0, 8.4915), (1000.0, 2.2795)],
        )
        self.assertNotIn("DiscountRate", xero["LineItems"][0])
        self.assertIn("unitdp=4", self.calls(since, method="PUT", path="/Invoices")[0]["query"])

    def test_discounted_credit_note(self):
        refund = self.make_move(
            "in_refund",
            ref="SUP-CN-1",
            lines=[{"price_unit": 9.99, "discount": 15, "quantity": 10}],
        )
        self.run_export()
        self.assert_same_amounts(refund)

    def test_line_four_decimals_cannot_reproduce_goes_as_one_unit(self):
        self.env.ref("product.decimal_price").digits = 5
        bill = self.make_move(lines=[{"price_unit": 1.23456, "discount": 7, "quantity": 1000}])
        self.run_export()
        xero = self.assert_same_amounts(bill)
        item = xero["LineItems"][0]
        self.assertEqual((item["Quantity"], item["UnitAmount"]), (1.0, 1148.14))
        self.assertIn("1000 x 1.23456 less 7%", item["Description"])

    def test_sales_invoice_keeps_its_discount_rate(self):
        invoice = self.make_move(
            "out_invoice",
            partner=self.customer,
            lines=[{"price_unit": 9.99, "discount": 15, "quantity": 10}],
        )
        self.run_export()
        xero = self.assert_same_amounts(invoice)
        self.assertEqual(xero["LineItems"][0]["DiscountRate"], 15.0)

    def test_discounted_purchase_order(self):
        order = self.make_po(
            lines=[
                {"price_unit": 9.99, "discount": 15, "product_qty": 10},
                {"price_unit": 24.5, "product_qty": 3},
            ]
        )
        self.run_export("purchase.order")
        self.assertEqual(order.xero_state, "sent", order.xero_error)
        xero = self.xero_doc(order)
        self.assertEqual(
            [i["LineAmount"] for i in xero["LineItems"]], order.order_line.mapped("price_subtotal")
        )
        self.assertEqual(xero["Total"], order.amount_total)
        # 2 decimals on purchase orders: no unit price gives 84.92 for 10 units
        self.assertEqual(
            (xero["LineItems"][0]["Quantity"], xero["LineItems"][0]["UnitAmount"]), (1.0, 84.92)
        )
        self.assertEqual(
            (xero["LineItems"][1]["Quantity"], xero["LineItems"][1]["UnitAmount"]), (3.0, 24.5)
        )

    # -- rounding lines -------------------------------------------------------------------
    def _globally_rounded_invoice(self):
        self.company.tax_calculation_rounding_method = "round_globally"
        return self.make_move(
            "out_invoice",
            partner=self.customer,
            lines=[{"price_unit": 1.03}, {"price_unit": 1.03}, {"price_unit": 1.03}],
        )

    def test_rounding_line_within_tolerance(self):
        self.company.xero_rounding_account_code = "860"
        invoice = self._globally_rounded_invoice()
        self.assertEqual(invoice.amount_total, 3.55)
        self.run_export()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        xero = self.xero_doc(invoice)
        self.assertEqual(xero["Total"], invoice.amount_total)
        rounding = xero["LineItems"][-1]
        self.assertEqual(
            (rounding["AccountCode"], rounding["LineAmount"], rounding["TaxAmount"]),
            ("860", 0.01, 0.0),
        )
        self.assertFalse(invoice.xero_warning)

    def test_beyond_tolerance_is_flagged_without_rounding_line(self):
        self.company.write({"xero_rounding_account_code": "860", "xero_rounding_tolerance": 0.0})
        invoice = self._globally_rounded_invoice()
        self.run_export()
        xero = self.xero_doc(invoice)
        self.assertEqual(len(xero["LineItems"]), 3)
        self.assertEqual(xero["Total"], 3.54)
        self.assertIn("3.55", invoice.xero_warning)
        self.assertIn("3.54", invoice.xero_warning)

    def test_rounding_account_in_settings(self):
        settings = self.env["res.config.settings"].create(
            {"xero_rounding_account_code": "860", "xero_rounding_tolerance": 0.02}
        )
        settings.execute()
        self.assertEqual(
            (self.company.xero_rounding_account_code, self.company.xero_rounding_tolerance),
            ("860", 0.02),
        )
        self.assertEqual(
            self.env["res.company"].create({"name": "C"}).xero_rounding_tolerance, 0.05
        )


@tagged("post_install", "-at_install")
class TestExportTaxTypes(XeroExportCase):
    """Untaxed lines take the organisation's untaxed tax type; a tax type Xero refuses
    on the line's account is refused before sending."""

    def _australian(self):
        self.sandbox.put_records(
            self.tenant,
            "TaxRates",
            [
                {
                    "TaxType": "BASEXCLUDED",
                    "Name": "BAS Excluded",
                    "Status": "ACTIVE",
                    "EffectiveRate": 0.0,
                    "DisplayTaxRate": 0.0,
                }
            ],
        )
        self.sandbox.control("POST", f"orgs/{self.tenant}/Organisation", {"CountryCode": "AU"})
        self.addCleanup(
            self.sandbox.control,
            "POST",
            f"orgs/{self.tenant}/Organisation",
            {"CountryCode": "US"},
        )
        self.company.account_fiscal_country_id = self.env.ref("base.au")

    def test_untaxed_lines_in_australia_are_gst_free_not_bas_excluded(self):
        self._australian()
        bill = self.make_move(lines=[{"price_unit": 50.0, "taxes": self.env["account.tax"]}])
        invoice = self.make_move(
            "out_invoice",
            partner=self.customer,
            lines=[{"price_unit": 70.0, "taxes": self.env["account.tax"]}],
        )
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        self.assertEqual(self.xero_doc(bill)["LineItems"][0]["TaxType"], "EXEMPTEXPENSES")
        self.assertEqual(self.xero_doc(invoice)["LineItems"][0]["TaxType"], "EXEMPTOUTPUT")
        self.assertEqual(
            bill._xero_rounding(self.connection)["tax_type"], "BASEXCLUDED", "off the BAS"
        )

    def test_untaxed_lines_elsewhere_are_none(self):
        bill = self.make_move(lines=[{"price_unit": 50.0, "taxes": self.env["account.tax"]}])
        self.run_export()
        self.assertEqual(self.xero_doc(bill)["LineItems"][0]["TaxType"], "NONE")

    def test_tax_type_not_allowed_on_the_account_is_refused_before_sending(self):
        link = self.env["xero.link"]._find(self.connection, self.tax_purchase, "tax")
        link.xero_applies_to = "ASSET,EQUITY,LIABILITY,REVENUE"
        since = self.mark()
        bill = self.make_move()
        self.assertEqual(bill.xero_state, "error")
        self.assertIn("Xero does not allow tax XC Purchase 15%", bill.xero_error)
        self.assertFalse(self.calls(since, method="PUT"))

    def test_xero_refusal_of_tax_type_on_account_is_shown(self):
        """Without the rate's flags in Odoo, Xero's own refusal is shown."""
        self.sandbox.put_records(
            self.tenant, "TaxRates", [{"TaxType": "INPUT", "CanApplyToExpenses": False}]
        )
        self.addCleanup(
            self.sandbox.put_records,
            self.tenant,
            "TaxRates",
            [{"TaxType": "INPUT", "CanApplyToExpenses": True}],
        )
        bill = self.make_move()
        self.run_export()
        self.assertEqual(bill.xero_state, "error")
        self.assertIn(
            "The TaxType code 'INPUT' cannot be used with account code '300'", bill.xero_error
        )
