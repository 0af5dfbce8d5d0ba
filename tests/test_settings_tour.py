from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestSettingsTour(HttpCase):
    def test_admin_finds_xero_block_in_settings(self):
        self.start_tour("/odoo/settings", "xero_connector_settings_tour", login="admin")
