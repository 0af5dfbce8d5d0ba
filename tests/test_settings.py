from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import CLIENT_ID, DEMO_ORG, XeroCase, consent, org_id

SETTINGS_LANDING = {"type": "ir.actions.client", "tag": "xero_connector.settings"}


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


@tagged("post_install", "-at_install")
class TestConnectedSettings(XeroCase):
    """What a live connection depends on cannot change under it, and an administrator
    lands back on the Xero block, told which organisation was connected."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")

    def _connect_as_admin(self):
        """The consent flow as the administrator runs it (the callback runs as them)."""
        connection = self.connection.with_user(self.admin)
        action = connection.action_connect()
        answer = consent(self.sandbox, action["url"], [org_id(self.sandbox, DEMO_ORG)])
        states = self.env["xero.oauth.state"].with_user(self.admin).sudo()
        outcome, _pending, _detail = states._complete_consent(answer["state"], answer["code"])
        self.assertEqual(outcome, "connected")
        return connection

    def test_connected_app_and_organisation_cannot_change_over_rpc(self):
        connection = self._connect_as_admin()
        for vals in (
            {"client_id": "another-app"},
            {"auth_type": "custom"},
            {"scope_mode": "broad"},
            {"endpoint_url": "https://another-sandbox.example.com"},
            {"tenant_id": "another-organisation"},
            {"tenant_name": "Another Organisation"},
            {"state": "draft"},
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(UserError, "cannot change while it is connected"),
            ):
                connection.write(vals)
        self.assertEqual(self.connection.client_id, CLIENT_ID)
        self.assertEqual(self.connection.tenant_name, DEMO_ORG)
        # Saving Settings as they are, or a secret rotated at Xero, is not a change.
        connection.write({"client_id": CLIENT_ID, "client_secret": "sandbox-client-secret"})
        settings = self.env["res.config.settings"].with_user(self.admin)
        settings.create({}).execute()
        with self.assertRaisesRegex(UserError, "Disconnect first"):
            settings.create({"xero_client_id": "another-app"})
        # The disconnect flow itself changes the state; then the app can change.
        connection.action_disconnect()
        self.assertEqual(self.connection.state, "disconnected")
        connection.write({"client_id": "another-app", "auth_type": "custom"})
        self.assertEqual(self.connection.client_id, "another-app")

    def test_settings_show_connected_fields_read_only(self):
        self._connect_as_admin()
        form = Form(self.env["res.config.settings"].with_user(self.admin))
        for name in ("xero_client_id", "xero_auth_type", "xero_scope_mode", "xero_endpoint_url"):
            with self.subTest(field=name), self.assertRaises(AssertionError):
                setattr(form, name, False)
        form.xero_new_client_secret = "rotated-secret"  # a secret rotated at Xero
        form.save().execute()
        self.assertEqual(self.connection.client_secret, "rotated-secret")

    def test_xero_endpoint_only_in_sandbox_mode(self):
        self.assertTrue(Form(self.env["res.config.settings"]).xero_sandbox_mode)
        self.assertTrue(self.connection.sandbox_mode)
        self.env["ir.config_parameter"].sudo().set_param("xero_connector.sandbox_mode", False)
        self.connection.invalidate_recordset(["sandbox_mode"])
        self.assertFalse(Form(self.env["res.config.settings"]).xero_sandbox_mode)
        self.assertFalse(self.connection.sandbox_mode)

    def test_back_from_xero_lands_on_the_block_naming_the_organisation(self):
        self._connect_as_admin()
        connections = self.env["xero.connection"].with_user(self.admin)
        action = connections._action_settings_landing()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn(DEMO_ORG, action["params"]["message"])
        self.assertEqual(action["params"]["next"], SETTINGS_LANDING)
        # Coming back later (or another administrator) is not told it again.
        self.connection.write({"connected_on": fields.Datetime.now() - timedelta(hours=1)})
        self.assertEqual(connections._action_settings_landing(), SETTINGS_LANDING)

    def test_settings_buttons_land_back_on_the_block(self):
        self.connection.write(
            {
                "auth_type": "custom",
                "client_id": "sandbox-custom-id",
                "client_secret": "sandbox-custom-secret",
            }
        )
        settings = Form(self.env["res.config.settings"].with_user(self.admin)).save()
        action = settings.action_xero_connect()
        self.assertEqual(self.connection.state, "connected")
        self.assertIn(DEMO_ORG, action["params"]["message"])
        self.assertEqual(action["params"]["next"], SETTINGS_LANDING)
        for method in ("action_xero_test", "action_xero_disconnect"):
            with self.subTest(method=method):
                action = getattr(settings, method)()
                self.assertEqual(action["params"]["next"], SETTINGS_LANDING)
        # From the connection's own form, that form reloads.
        action = self.connection.with_user(self.admin).action_connect()
        self.assertEqual(action["params"]["next"]["tag"], "soft_reload")
