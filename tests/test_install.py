from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_module_installed(self):
        module = self.env["ir.module.module"].search([("name", "=", "xero_connector")])
        self.assertEqual(module.state, "installed")
        self.assertEqual(module.latest_version, "18.0.1.1.0")

    def test_groups_implied_by_business_groups(self):
        xero_user = self.env.ref("xero_connector.group_xero_user")
        xero_manager = self.env.ref("xero_connector.group_xero_manager")
        purchase_user = self.env.ref("purchase.group_purchase_user")
        billing = self.env.ref("account.group_account_invoice")
        acc_admin = self.env.ref("account.group_account_manager")
        self.assertIn(xero_user, purchase_user.trans_implied_ids)
        self.assertIn(xero_user, billing.trans_implied_ids)
        self.assertIn(xero_manager, acc_admin.trans_implied_ids)
        self.assertNotIn(xero_manager, purchase_user.trans_implied_ids)

    def test_purchase_user_is_xero_user_not_admin(self):
        user = self.env["res.users"].create(
            {
                "name": "Pat Purchase",
                "login": "pat.purchase",
                "groups_id": [(6, 0, [self.env.ref("purchase.group_purchase_user").id])],
            }
        )
        self.assertTrue(user.has_group("xero_connector.group_xero_user"))
        self.assertFalse(user.has_group("xero_connector.group_xero_manager"))

    def test_xero_menu_under_accounting(self):
        menu = self.env.ref("xero_connector.menu_xero_root")
        self.assertEqual(menu.parent_id, self.env.ref("account.menu_finance"))

    def test_settings_view_has_xero_block(self):
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('id="xero_connection_setting"', arch)
