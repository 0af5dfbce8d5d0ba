import time

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.modules.neutralize import neutralize_database
from odoo.tests import tagged

from ..xero import ReconnectNeeded
from .common import CLIENT_ID, CLIENT_SECRET, DEMO_ORG, SECOND_ORG, XeroCase, consent, org_id


@tagged("post_install", "-at_install")
class TestConnect(XeroCase):
    def test_every_company_has_a_connection_record(self):
        company = self.env["res.company"].create({"name": "New Co"})
        self.assertEqual(company.xero_connection_id.state, "draft")

    def test_connect_one_organisation(self):
        self.assertEqual(self.connect(tenants=(DEMO_ORG,)), "connected")
        self.assertEqual(self.connection.state, "connected")
        self.assertEqual(self.connection.tenant_name, DEMO_ORG)
        self.assertEqual(self.connection.tenant_id, org_id(self.sandbox, DEMO_ORG))
        self.assertTrue(self.connection.sudo().token_data["refresh_token"])
        self.assertEqual(self.connection.connected_by_id, self.env.user)

    def test_several_organisations_need_a_choice(self):
        self.sandbox.reset("demo")  # a first consent for both (none connected before)
        action = self.connection.action_connect()
        both = [org_id(self.sandbox, DEMO_ORG), org_id(self.sandbox, SECOND_ORG)]
        answer = consent(self.sandbox, action["url"], both)
        states = self.env["xero.oauth.state"].sudo()
        outcome, pending, tenants = states._complete_consent(answer["state"], answer["code"])
        self.assertEqual(outcome, "choose")
        self.assertEqual({t["tenantName"] for t in tenants}, {DEMO_ORG, SECOND_ORG})
        # Nothing is chosen silently.
        self.assertEqual(self.connection.state, "draft")
        self.assertFalse(self.connection.tenant_id)
        states._choose_tenant(pending.id, org_id(self.sandbox, SECOND_ORG))
        self.assertEqual(self.connection.state, "connected")
        self.assertEqual(self.connection.tenant_name, SECOND_ORG)
        # the organisation not chosen is disconnected at Xero (no company uses it)
        token = self.connection._client().access_token()
        listed = {c["tenantName"] for c in self.connection._oauth().connections(token)}
        self.assertEqual(listed, {SECOND_ORG})
        with self.assertRaises(AccessError):  # the choice is single-use
            states._choose_tenant(pending.id, org_id(self.sandbox, DEMO_ORG))

    def test_authorize_url_has_pkce_and_random_state(self):
        first = self.connection.action_connect()["url"]
        second = self.connection.action_connect()["url"]
        self.assertIn("code_challenge_method=S256", first)
        self.assertIn("offline_access", first)
        state_of = lambda url: url.split("state=")[1].split("&")[0]  # noqa: E731
        self.assertNotEqual(state_of(first), state_of(second))
        self.assertGreaterEqual(len(state_of(first)), 32)

    def test_forged_state_rejected(self):
        action = self.connection.action_connect()
        answer = consent(self.sandbox, action["url"], [org_id(self.sandbox, DEMO_ORG)])
        with self.assertRaises(AccessError):
            self.env["xero.oauth.state"].sudo()._complete_consent(
                "forged" + answer["state"], answer["code"]
            )
        self.assertEqual(self.connection.state, "draft")

    def test_replayed_state_rejected(self):
        action = self.connection.action_connect()
        answer = consent(self.sandbox, action["url"], [org_id(self.sandbox, DEMO_ORG)])
        states = self.env["xero.oauth.state"].sudo()
        self.assertEqual(states._complete_consent(answer["state"], answer["code"])[0], "connected")
        with self.assertRaises(AccessError):
            states._complete_consent(answer["state"], answer["code"])

    def test_expired_state_rejected(self):
        action = self.connection.action_connect()
        answer = consent(self.sandbox, action["url"], [org_id(self.sandbox, DEMO_ORG)])
        later = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + 11 * 60))
        with freeze_time(later), self.assertRaises(AccessError):
            self.env["xero.oauth.state"].sudo()._complete_consent(answer["state"], answer["code"])

    def test_state_of_another_user_rejected(self):
        action = self.connection.action_connect()
        answer = consent(self.sandbox, action["url"], [org_id(self.sandbox, DEMO_ORG)])
        other = self.env["res.users"].create(
            {
                "name": "Other Admin",
                "login": "other.admin",
                "groups_id": [(6, 0, [self.env.ref("base.group_system").id])],
            }
        )
        with self.assertRaises(AccessError):
            self.env["xero.oauth.state"].with_user(other).sudo()._complete_consent(
                answer["state"], answer["code"]
            )

    def test_consent_refused_is_reported(self):
        action = self.connection.action_connect()
        state = action["url"].split("state=")[1].split("&")[0]
        outcome, _pending, message = (
            self.env["xero.oauth.state"].sudo()._complete_consent(state, error="access_denied")
        )
        self.assertEqual(outcome, "error")
        self.assertIn("access_denied", message)
        self.assertEqual(self.connection.state, "draft")

    def test_connect_needs_client_id(self):
        self.connection.client_id = False
        with self.assertRaisesRegex(UserError, "Client ID"):
            self.connection.action_connect()

    def test_custom_connection_uses_client_credentials(self):
        self.connection.write(
            {
                "auth_type": "custom",
                "client_id": "sandbox-custom-id",
                "client_secret": "sandbox-custom-secret",
            }
        )
        self.connection.action_connect()
        self.assertEqual(self.connection.state, "connected")
        self.assertEqual(self.connection.tenant_name, DEMO_ORG)
        organisation = self.connection._client().get_organisation()
        self.assertEqual(organisation["Name"], DEMO_ORG)


@tagged("post_install", "-at_install")
class TestConnectedUse(XeroCase):
    def setUp(self):
        super().setUp()
        self.connect()  # a token chain of its own for each test

    def test_test_connection_calls_organisation(self):
        action = self.connection.action_test_connection()
        self.assertIn(DEMO_ORG, action["params"]["message"])
        log = self.env["xero.log"].search([("connection_id", "=", self.connection.id)], limit=1)
        self.assertEqual(log.outcome, "success")
        self.assertEqual(log.http_status, 200)
        self.connection.invalidate_recordset()
        self.assertGreater(self.connection.min_limit_remaining, 0)
        self.assertGreater(self.connection.day_limit_remaining, 0)

    def test_refresh_before_expiry_rotates_and_keeps_tokens(self):
        connection = self.connection.sudo()
        token = dict(connection.token_data, expires_at=time.time() + 30)
        connection.token_data = token
        connection._client().get_organisation()
        connection.invalidate_recordset(["token_data"])
        new = connection.token_data
        self.assertNotEqual(new["refresh_token"], token["refresh_token"])
        self.assertNotEqual(new["access_token"], token["access_token"])
        self.assertGreater(new["expires_at"], time.time() + 1700)

    def test_invalid_grant_asks_to_reconnect_and_stops_syncing(self):
        connection = self.connection.sudo()
        connection.token_data = dict(
            connection.token_data, refresh_token="revoked-elsewhere", expires_at=time.time() - 5
        )
        # Not inside assertRaises: Odoo's rolls back to a savepoint, and what the token
        # store committed on its own cursor is what this test checks.
        try:
            connection._client().get_organisation()
        except ReconnectNeeded:
            pass
        else:
            self.fail("an invalid_grant must raise ReconnectNeeded")
        connection.invalidate_recordset()
        self.assertEqual(connection.state, "reconnect")
        self.assertTrue(connection.state_reason)
        activity = connection.activity_ids.filtered(
            lambda a: (
                a.activity_type_id == self.env.ref("xero_connector.mail_activity_xero_reconnect")
            )
        )
        # For the people who can reconnect, not for OdooBot.
        self.assertEqual(activity.user_id, self.env.ref("base.user_admin"))
        with self.assertRaisesRegex(UserError, "reconnected"):
            connection._client()
        # Reconnecting clears the state and the activity.
        self.connect()
        self.assertEqual(connection.state, "connected")
        self.assertFalse(connection.activity_ids)

    def test_disconnect_revokes_and_forgets_tokens(self):
        old = dict(self.connection.sudo().token_data)
        ref = self.connection.xero_connection_ref
        self.assertTrue(ref, "the consent records Xero's connection id")
        since = self.sandbox.calls()[-1]["seq"]
        self.connection.action_disconnect()
        self.assertEqual(self.connection.state, "disconnected")
        self.assertFalse(self.connection.sudo().token_data)
        self.assertFalse(self.connection.xero_connection_ref)
        calls = [
            (c["method"], c["path"].rstrip("/").lower(), c["status"])
            for c in self.sandbox.calls(since)
        ]
        # This organisation's connection is removed at Xero, and only it.
        self.assertEqual(
            [c for c in calls if c[1].startswith("/connections")],
            [("DELETE", f"/connections/{ref}".lower(), 204)],
        )
        self.assertTrue([c for c in calls if c[1] == "/connect/revocation" and c[2] == 200])
        status, body = self.sandbox.token_request(
            grant_type="refresh_token",
            refresh_token=old["refresh_token"],
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        )
        self.assertEqual((status, body.get("error")), (400, "invalid_grant"))

    def test_neutralized_database_does_not_sync(self):
        self.env.flush_all()
        neutralize_database(self.env.cr)
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.state, "disconnected")
        self.assertFalse(self.connection.sudo().token_data)
        with self.assertRaises(UserError):
            self.connection._client()

    def test_no_secret_in_the_log(self):
        self.connection.action_test_connection()
        token = self.connection.sudo().token_data
        secrets = [
            token["access_token"],
            token["refresh_token"],
            self.connection.sudo().client_secret,
        ]
        self.env.cr.execute(
            "SELECT coalesce(url,'') || coalesce(message,'') || coalesce(request_summary,'')"
            " || coalesce(response_summary,'') FROM xero_log"
        )
        dump = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.assertTrue(dump)
        for secret in secrets:
            self.assertNotIn(secret, dump)
