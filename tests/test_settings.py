from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import XeroCase


@tagged("post_install", "-at_install")
class TestSettings(XeroCase):
    def test_settings_form_shows_state_and_hides_secrets(self):
        self.connection.webhook_key = "key"
        form = Form(self.env["res.config.settings"])
        self.assertEqual(form.xero_state, "draft")
        self.assertEqual(form.xero_client_id, "sandbox-client-id")
        self.assertTrue(form.xero_client_secret_set)
        self.assertTrue(form.xero_webhook_key_set)
        self.assertFalse(form.xero_new_client_secret)  # the stored secret is never sent back
        self.assertTrue(form.xero_redirect_url.endswith("/xero/oauth/callback"))
        self.assertTrue(form.xero_webhook_url.endswith("/xero/webhook"))

    def test_saving_sets_secret_key_and_company_options(self):
        form = Form(self.env["res.config.settings"])
        form.xero_new_client_secret = " new-secret "
        form.xero_new_webhook_key = "new-key"
        form.xero_export_purchase_order = True
        form.xero_document_status = "DRAFT"
        form.save().execute()
        self.assertEqual(self.connection.client_secret, "new-secret")
        self.assertEqual(self.connection.webhook_key, "new-key")
        self.assertTrue(self.company.xero_export_purchase_order)
        self.assertEqual(self.company.xero_document_status, "DRAFT")

    def test_read_interval_drives_the_crons_reading_xero(self):
        form = Form(self.env["res.config.settings"])
        form.xero_sync_interval = 45
        form.save().execute()
        for xmlid in ("ir_cron_xero_update", "ir_cron_xero_payment_sync"):
            cron = self.env.ref(f"xero_connector.{xmlid}")
            self.assertEqual((cron.interval_number, cron.interval_type), (45, "minutes"), xmlid)
        with self.assertRaises(ValidationError):
            self.company.xero_sync_interval = 1

    def test_empty_secret_field_keeps_the_stored_secret(self):
        form = Form(self.env["res.config.settings"])
        form.xero_log_retention_days = 30
        form.save().execute()
        self.assertEqual(self.connection.client_secret, "sandbox-client-secret")
        self.assertEqual(self.company.xero_log_retention_days, 30)

    def test_connect_button_saves_then_redirects_to_xero(self):
        form = Form(self.env["res.config.settings"])
        form.xero_client_id = "sandbox-client-id"
        action = form.save().action_xero_connect()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertTrue(action["url"].startswith(self.sandbox.url + "/identity/connect/authorize"))
