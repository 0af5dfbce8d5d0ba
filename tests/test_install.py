import ast
import importlib
from pathlib import Path

from lxml import etree

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_module_installed(self):
        module = self.env["ir.module.module"].search([("name", "=", "xero_connector")])
        self.assertEqual(module.state, "installed")
        self.assertEqual(module.latest_version, "18.0.1.2.0")

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

    def test_every_cron_is_in_ir_cron_xml(self):
        """Scheduled jobs are found in one place: data/ir_cron.xml defines every cron of
        the addon and no other data file defines one (nor an activity type but its own)."""
        root = Path(__file__).resolve().parent.parent
        manifest = ast.literal_eval((root / "__manifest__.py").read_text())
        defined = {}
        for name in manifest["data"]:
            if not name.endswith(".xml"):
                continue
            tree = etree.parse(str(root / name))
            for record in tree.iter("record"):
                defined.setdefault(record.get("model"), {})[record.get("id")] = name
        crons = defined.get("ir.cron", {})
        self.assertEqual(set(crons.values()), {"data/ir_cron.xml"})
        activity_types = defined.get("mail.activity.type", {})
        self.assertEqual(set(activity_types.values()), {"data/mail_activity_type_data.xml"})
        installed = self.env["ir.model.data"].search(
            [("module", "=", "xero_connector"), ("model", "=", "ir.cron")]
        )
        self.assertEqual(set(installed.mapped("name")), set(crons))

    def test_uninstall_leaves_no_sql_function_of_ours(self):
        """The uninstall hook drops the SQL functions the rate budget created (Odoo drops
        only tables); run here in the test's transaction, which is rolled back."""
        root = Path(__file__).resolve().parent.parent
        manifest = ast.literal_eval((root / "__manifest__.py").read_text())
        self.assertEqual(manifest.get("uninstall_hook"), "uninstall_hook")
        addon = importlib.import_module("odoo.addons.xero_connector")
        cr = self.env.cr

        def ours():
            cr.execute("SELECT proname FROM pg_proc WHERE proname LIKE 'xero%%'")
            return sorted(name for (name,) in cr.fetchall())

        self.assertIn("xero_rate_budget_take", ours())
        addon.uninstall_hook(self.env)
        self.assertEqual(ours(), [])
