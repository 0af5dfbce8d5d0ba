from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.xero_integrated_mixin import XERO_SYNC
from .import_case import ImportCase


@tagged("post_install", "-at_install")
class TestImportReadonly(ImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["xero.import.account"]._import(
            cls.connection,
            [a for a in cls.sandbox.records(cls.tenant, "Accounts") if a["Code"] in ("200", "300")],
        )
        cls.env["xero.import.item"]._import(
            cls.connection,
            [i for i in cls.sandbox.records(cls.tenant, "Items") if i["Code"] == "PAPER-A4"],
        )
        cls.env["xero.import.tracking"]._import(
            cls.connection,
            [
                t
                for t in cls.sandbox.records(cls.tenant, "TrackingCategories")
                if t["Name"] == "Region"
            ],
        )
        cls.env["xero.import.tax"]._import(
            cls.connection,
            [t for t in cls.sandbox.records(cls.tenant, "TaxRates") if t["TaxType"] == "TAX002"],
        )

    def setUp(self):
        super().setUp()
        self.user_env = self.as_accountant()

    def test_user_edit_of_an_owned_field_is_refused(self):
        account = (
            self.env["account.account"].with_company(self.company).search([("code", "=", "200")])
        )
        self.assertTrue(account.xero_integrated)
        with self.assertRaisesRegex(UserError, "comes from Xero: change it in Xero, then press"):
            account.with_env(self.user_env).write({"name": "Renamed in Odoo"})
        account.with_env(self.user_env).write({"note": "fields Xero does not own stay editable"})
        product = self.env["product.product"].search([("default_code", "=", "PAPER-A4")])
        with self.assertRaisesRegex(UserError, "comes from Xero"):
            product.product_tmpl_id.with_env(self.user_env).write({"list_price": 1.0})
        with self.assertRaisesRegex(UserError, "comes from Xero"):
            product.with_env(self.user_env).write({"default_code": "OTHER"})
        tax = self.env["account.tax"].browse(
            self.links.search(
                [("connection_id", "=", self.connection.id), ("xero_id", "=", "TAX002")]
            ).res_id
        )
        with self.assertRaisesRegex(UserError, "comes from Xero"):
            tax.with_env(self.user_env).write({"amount": 3.0})
        option = self.env["account.analytic.account"].search([("name", "=", "North")])
        with self.assertRaisesRegex(UserError, "comes from Xero"):
            option.with_env(self.user_env).write({"name": "Nord"})

    def test_same_value_and_unlinked_records_are_not_blocked(self):
        account = (
            self.env["account.account"].with_company(self.company).search([("code", "=", "200")])
        )
        account.with_env(self.user_env).write({"name": account.name})
        other = self.env["account.account"].create(
            {"code": "777777", "name": "Odoo only", "account_type": "expense"}
        )
        self.assertFalse(other.xero_integrated)
        other.with_env(self.user_env).write({"name": "Still Odoo only"})

    def test_the_sync_writes_owned_fields(self):
        account = (
            self.env["account.account"].with_company(self.company).search([("code", "=", "200")])
        )
        account.with_env(self.user_env).with_context(xero_sync=XERO_SYNC).write(
            {"name": "From Xero"}
        )
        self.assertEqual(account.name, "From Xero")

    def test_integrated_filter_in_lists(self):
        Account = self.env["account.account"].with_company(self.company)
        integrated = Account.search([("xero_integrated", "=", True)])
        self.assertEqual(sorted(integrated.mapped("code")), ["200", "300"])
        self.assertNotIn("200", Account.search([("xero_integrated", "=", False)]).mapped("code"))
        products = self.env["product.template"].search([("xero_integrated", "=", True)])
        self.assertEqual(products.mapped("default_code"), ["PAPER-A4"])

    def test_a_client_context_cannot_pass_the_guard(self):
        # What JSON-RPC can carry (true, 1, a string) is not the sync's own flag.
        account = (
            self.env["account.account"].with_company(self.company).search([("code", "=", "200")])
        )
        for value in (True, 1, "1", "XERO_SYNC"):
            with (
                self.subTest(value=value),
                self.assertRaisesRegex(UserError, "comes from Xero"),
            ):
                account.with_env(self.user_env).with_context(xero_sync=value).write(
                    {"name": "Renamed over RPC"}
                )
        self.assertNotEqual(account.name, "Renamed over RPC")
