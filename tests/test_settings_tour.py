from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestSettingsTour(HttpCase):
    def test_admin_finds_xero_block_in_settings(self):
        # A normal database (not in Xero sandbox mode), purchase orders not sent.
        self.env["ir.config_parameter"].sudo().set_param("xero_connector.sandbox_mode", False)
        self.env.company.xero_export_purchase_order = False
        self.env.company.xero_export_vendor_bill = True
        self.start_tour("/odoo/settings", "xero_connector_settings_tour", login="admin")
