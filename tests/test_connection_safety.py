"""A Xero app created today connects (granular scopes); secrets only go where a system
administrator decided; disconnecting or reconnecting one company leaves others alone."""

from urllib.parse import parse_qs, urlparse

from odoo.exceptions import AccessError, ValidationError
from odoo.modules.neutralize import neutralize_database
from odoo.tests import new_test_user, tagged

from ..models.xero_connection import SANDBOX_MODE_PARAM
from ..xero.oauth import XERO_API_URL, XERO_LOGIN_URL
from .common import CLIENT_ID, CLIENT_SECRET, DEMO_ORG, SECOND_ORG, XeroCase, consent, org_id


def scopes_of(url):
    return parse_qs(urlparse(url).query)["scope"][0].split()


@tagged("post_install", "-at_install")
class TestScopes(XeroCase):
    def test_app_created_today_connects_with_granular_scopes(self):
        url = self.connection.action_connect()["url"]
        scopes = scopes_of(url)
        self.assertIn("accounting.invoices", scopes)
        self.assertIn("accounting.payments", scopes)
        self.assertIn("offline_access", scopes)
        self.assertNotIn("accounting.transactions", scopes)
        self.assertEqual(self.connect(), "connected")
        self.assertFalse(self.connection.scope_warning)

    def test_app_created_before_march_2026_can_keep_broad_scopes(self):
        self.sandbox.register_app("legacy-app", "legacy-secret", created="2025-06-01")
        self.connection.write(
            {"client_id": "legacy-app", "client_secret": "legacy-secret", "scope_mode": "broad"}
        )
        url = self.connection.action_connect()["url"]
        self.assertIn("accounting.transactions", scopes_of(url))
        self.assertNotIn("accounting.invoices", scopes_of(url))
        answer = consent(self.sandbox, url, [org_id(self.sandbox, DEMO_ORG)])
        outcome, _pending, _detail = (
            self.env["xero.oauth.state"].sudo()._complete_consent(answer["state"], answer["code"])
        )
        self.assertEqual(outcome, "connected")
        self.assertFalse(self.connection.scope_warning)  # broad scopes cover every feature
        self.assertIsNotNone(self.connection._client().get_payments())

    def test_broad_scopes_are_refused_to_an_app_created_today(self):
        # What the per-connection choice protects from: Xero's error page, no way back.
        self.connection.scope_mode = "broad"
        url = self.connection.action_connect()["url"]
        with self.assertRaisesRegex(RuntimeError, "Invalid scope for client"):
            consent(self.sandbox, url, [org_id(self.sandbox, DEMO_ORG)])

    def test_custom_connection_asks_for_granular_scopes(self):
        self.connection.write(
            {
                "auth_type": "custom",
                "client_id": "sandbox-custom-id",
                "client_secret": "sandbox-custom-secret",
            }
        )
        since = self.sandbox.calls()[-1]["seq"]
        self.connection.action_connect()
        self.assertEqual(self.connection.state, "connected")
        self.assertFalse(self.connection.scope_warning)
        granted = self.connection.sudo().token_data["scope"]
        self.assertIn("accounting.payments", granted)
        token_calls = [c for c in self.sandbox.calls(since) if c["path"] == "/connect/token"]
        self.assertEqual([c["status"] for c in token_calls], [200])

    def test_missing_scope_names_the_feature_that_cannot_work(self):
        # A custom connection created without accounting.payments ticked.
        self.sandbox.register_app(
            "narrow-custom",
            "narrow-secret",
            kind="custom",
            tenant_id=org_id(self.sandbox, DEMO_ORG),
            scopes="accounting.invoices accounting.contacts accounting.settings "
            "accounting.attachments",
        )
        self.connection.write(
            {"auth_type": "custom", "client_id": "narrow-custom", "client_secret": "narrow-secret"}
        )
        self.company.xero_export_vendor_bill = True
        action = self.connection.action_connect()
        self.assertEqual(self.connection.state, "connected")
        warning = self.connection.scope_warning
        self.assertIn("Payments sync is off because accounting.payments was not granted", warning)
        self.assertNotIn("Sending documents", warning)
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("accounting.payments", action["params"]["message"])
        self.assertFalse(self.connection._xero_has_feature("payments"))
        self.assertTrue(self.connection._xero_has_feature("export"))


@tagged("post_install", "-at_install")
class TestRoutingSecurity(XeroCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.xero_admin = new_test_user(
            cls.env,
            "xero.admin.routing",
            groups="base.group_user,account.group_account_manager,"
            "xero_connector.group_xero_manager",
        )

    def test_xero_administrator_cannot_redirect_secrets(self):
        connection = self.connection.with_user(self.xero_admin)
        for vals in (
            {"endpoint_url": "https://collector.example.com"},
            {"client_id": "someone-elses-app"},
            {"auth_type": "custom"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                connection.write(vals)
        self.assertEqual(self.connection.sudo().endpoint_url, self.sandbox.url)
        # nothing is refused that does not change where secrets go
        connection.write({"scope_mode": "broad", "client_id": CLIENT_ID})
        self.assertEqual(self.connection.scope_mode, "broad")

    def test_plain_http_only_to_this_machine(self):
        with self.assertRaises(ValidationError):
            self.connection.endpoint_url = "http://collector.example.com"
        with self.assertRaises(ValidationError):
            self.connection.endpoint_url = "ftp://127.0.0.1"
        self.connection.endpoint_url = "http://localhost:8765"
        self.connection.endpoint_url = "https://sandbox.example.com"

    def test_xero_itself_unless_the_database_is_in_sandbox_mode(self):
        self.assertEqual(self.connection._endpoint_urls()[2], self.sandbox.url)
        self.env["ir.config_parameter"].sudo().set_param(SANDBOX_MODE_PARAM, False)
        login, _identity, api = self.connection._endpoint_urls()
        self.assertEqual((login, api), (XERO_LOGIN_URL, XERO_API_URL))
        url = self.connection.action_connect()["url"]
        self.assertTrue(url.startswith(XERO_LOGIN_URL + "/identity/connect/authorize"))

    def test_sandbox_mode_is_a_system_setting(self):
        params = self.env["ir.config_parameter"].with_user(self.xero_admin)
        with self.assertRaises(AccessError):
            params.set_param(SANDBOX_MODE_PARAM, "1")


@tagged("post_install", "-at_install")
class TestTwoCompanies(XeroCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Company B (oauth)"})
        cls.connection_b = cls.company_b.xero_connection_id
        cls.connection_b.write(
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "endpoint_url": cls.sandbox.url,
            }
        )

    def test_disconnecting_one_company_keeps_the_other_connected(self):
        self.connect(self.connection, tenants=(DEMO_ORG,))
        self.connect(self.connection_b, tenants=(SECOND_ORG,))
        ref = self.connection.xero_connection_ref
        self.assertTrue(ref)
        since = self.sandbox.calls()[-1]["seq"]
        self.connection.action_disconnect()
        self.assertEqual(self.connection.state, "disconnected")
        calls = [(c["method"], c["path"]) for c in self.sandbox.calls(since)]
        self.assertIn(("DELETE", f"/connections/{ref}"), calls)
        self.assertNotIn(("POST", "/connect/revocation"), calls)
        # Company B still works, and Xero no longer lists company A's organisation.
        organisation = self.connection_b._client().get_organisation()
        self.assertEqual(organisation["Name"], SECOND_ORG)
        self.assertEqual(self.connection_b.state, "connected")
        token_b = self.connection_b._client().access_token()
        listed = {c["tenantName"] for c in self.connection_b._oauth().connections(token_b)}
        self.assertEqual(listed, {SECOND_ORG})

    def test_last_company_disconnecting_revokes_the_grant(self):
        self.connect(self.connection, tenants=(DEMO_ORG,))
        old = dict(self.connection.sudo().token_data)
        self.connection.action_disconnect()
        status, body = self.sandbox.token_request(
            grant_type="refresh_token",
            refresh_token=old["refresh_token"],
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        )
        self.assertEqual((status, body.get("error")), (400, "invalid_grant"))

    def test_one_organisation_serves_one_company(self):
        self.connect(self.connection, tenants=(DEMO_ORG,))
        action = self.connection_b.action_connect()
        answer = consent(self.sandbox, action["url"], [org_id(self.sandbox, DEMO_ORG)])
        outcome, _pending, message = (
            self.env["xero.oauth.state"].sudo()._complete_consent(answer["state"], answer["code"])
        )
        self.assertEqual(outcome, "error")
        self.assertIn("already connected to", message)
        self.assertEqual(self.connection_b.state, "draft")
        self.assertFalse(self.connection_b.tenant_id)


@tagged("post_install", "-at_install")
class TestReconnect(XeroCase):
    def test_reconsent_of_the_connected_organisation_reconnects(self):
        self.assertEqual(self.connect(tenants=(DEMO_ORG,)), "connected")
        first_ref = self.connection.xero_connection_ref
        self.connection.sudo()._mark_reconnect_needed("token lost")
        # Xero keeps the authEventId of a connection consented again: the new consent's
        # own event lists nothing, the connection's organisation is still the answer.
        self.assertEqual(self.connect(tenants=(DEMO_ORG,)), "connected")
        self.assertEqual(self.connection.state, "connected")
        self.assertEqual(self.connection.tenant_name, DEMO_ORG)
        self.assertEqual(self.connection.xero_connection_ref, first_ref)
        self.assertTrue(self.connection._client().get_organisation())


@tagged("post_install", "-at_install")
class TestNeutralize(XeroCase):
    def test_neutralize_forgets_pending_tokens(self):
        action = self.connection.action_connect()
        both = [org_id(self.sandbox, DEMO_ORG), org_id(self.sandbox, SECOND_ORG)]
        answer = consent(self.sandbox, action["url"], both)
        states = self.env["xero.oauth.state"].sudo()
        outcome, pending, _tenants = states._complete_consent(answer["state"], answer["code"])
        self.assertEqual(outcome, "choose")
        self.assertTrue(pending.token_data["refresh_token"])
        self.env.flush_all()
        neutralize_database(self.env.cr)
        self.env.invalidate_all()
        self.env.cr.execute("SELECT count(*) FROM xero_oauth_state WHERE token_data IS NOT NULL")
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        with self.assertRaises(AccessError):
            states._choose_tenant(pending.id, both[0])
        self.assertNotEqual(self.connection.state, "connected")


@tagged("post_install", "-at_install")
class TestChangeOrganisation(XeroCase):
    def test_another_organisation_starts_clean_and_the_old_links_are_kept(self):
        self.connect(tenants=(DEMO_ORG,))
        first = self.connection
        Link = self.env["xero.link"]
        partner = self.env["res.partner"].create({"name": "Linked in the demo organisation"})
        Link._set(first, partner, "contact", "11111111-2222-3333-4444-555555555555")
        # The administrator connects the company again, ticking another organisation.
        self.connect(first, tenants=(SECOND_ORG,))
        current = self.company.xero_connection_id
        self.assertNotEqual(current, first)
        self.assertEqual((current.tenant_name, current.state), (SECOND_ORG, "connected"))
        self.assertEqual(current.sudo().client_id, CLIENT_ID)
        self.assertEqual(current.sudo().endpoint_url, self.sandbox.url)
        self.assertFalse(Link._find(current, partner, "contact"))
        self.assertFalse(Link.search([("connection_id", "=", current.id)]))
        self.assertTrue(current._client().get_organisation())
        # the demo organisation's links stay with it, on the archived connection
        self.assertFalse(first.active)
        self.assertEqual(first.tenant_name, DEMO_ORG)
        self.assertTrue(Link._find(first, partner, "contact"))
        # Back to the demo organisation: its connection and links are used again.
        current.action_disconnect()
        self.connect(current, tenants=(DEMO_ORG,))
        self.assertEqual(self.company.xero_connection_id, first)
        self.assertTrue(first.active)
        self.assertEqual(first.state, "connected")
        self.assertTrue(Link._find(first, partner, "contact"))
        self.assertFalse(current.active)

    def test_a_document_of_the_old_organisation_is_not_sent_to_the_new_one(self):
        self.connect(tenants=(DEMO_ORG,))
        first = self.connection
        partner = self.env["res.partner"].create({"name": "Supplier sent to the demo org"})
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": partner.id,
                "invoice_date": "2026-11-02",
                "invoice_line_ids": [(0, 0, {"name": "Paper", "quantity": 1, "price_unit": 10})],
            }
        )
        bill.sudo().write(
            {"xero_id": "11111111-aaaa-4bbb-8ccc-222222222222", "xero_connection_id": first.id}
        )
        self.connect(first, tenants=(SECOND_ORG,))
        problems = "\n".join(bill._xero_refusals(check_mapping=False))
        self.assertIn(f"is in the Xero organisation {DEMO_ORG}", problems)
        self.assertIn(SECOND_ORG, problems)
