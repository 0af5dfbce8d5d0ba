"""The consent round trip through Odoo's real HTTP routes."""

import json
import re

from odoo.tests import tagged

from .common import DEMO_ORG, SECOND_ORG, XeroHttpCase, consent, org_id


@tagged("post_install", "-at_install")
class TestOAuthHttp(XeroHttpCase):
    def _callback_path(self, tenants):
        # The consent is bound to the user who starts it: the admin, as in the browser.
        admin = self.env.ref("base.user_admin")
        action = self.connection.with_user(admin).action_connect()
        answer = consent(self.sandbox, action["url"], tenants)
        location = answer["location"]
        self.assertTrue(location.startswith(self.base_url() + "/xero/oauth/callback"), location)
        return location[len(self.base_url()) :]

    def test_choose_between_two_organisations_over_http(self):
        self.sandbox.reset("demo")  # a first consent for both (none connected before)
        self.authenticate("admin", "admin")
        both = [org_id(self.sandbox, DEMO_ORG), org_id(self.sandbox, SECOND_ORG)]
        path = self._callback_path(both)
        page = self.url_open(path, allow_redirects=False)
        self.assertEqual(page.status_code, 200)
        self.assertIn(DEMO_ORG, page.text)
        self.assertIn(SECOND_ORG, page.text)
        self.assertEqual(self.connection.state, "draft")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        pending = re.search(r'name="pending_id" value="(\d+)"', page.text).group(1)
        chosen = self.url_open(
            "/xero/oauth/choose",
            data={"csrf_token": csrf, "pending_id": pending, "tenant_id": both[1]},
            allow_redirects=False,
        )
        self.assertIn(chosen.status_code, (302, 303))
        self.assertIn("action_xero_settings_landing", chosen.headers["Location"])
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.state, "connected")
        self.assertEqual(self.connection.tenant_name, SECOND_ORG)
        # The same callback cannot be replayed.
        replay = self.url_open(path, allow_redirects=False)
        self.assertEqual(replay.status_code, 403)

    def test_back_from_xero_to_the_xero_block_of_settings(self):
        self.authenticate("admin", "admin")
        page = self.url_open(
            self._callback_path([org_id(self.sandbox, DEMO_ORG)]), allow_redirects=False
        )
        self.assertIn(page.status_code, (302, 303))
        location = page.headers["Location"]
        self.assertTrue(
            location.endswith("/odoo/action-xero_connector.action_xero_settings_landing")
        )
        # What the web client runs there: a notification naming the organisation, then
        # Settings on the Xero block.
        action = self.make_jsonrpc_request(
            "/web/action/load", {"action_id": "xero_connector.action_xero_settings_landing"}
        )
        result = self.make_jsonrpc_request("/web/action/run", {"action_id": action["id"]})
        self.assertEqual(result["tag"], "display_notification")
        self.assertIn(DEMO_ORG, result["params"]["message"])
        self.assertEqual(result["params"]["next"]["tag"], "xero_connector.settings")

    def test_connected_app_cannot_change_over_rpc(self):
        self.connect_with_tokens()
        self.authenticate("admin", "admin")
        for vals in ({"client_id": "another-app"}, {"endpoint_url": "https://elsewhere.example"}):
            with self.subTest(vals=vals):
                response = self.url_open(
                    "/web/dataset/call_kw/xero.connection/write",
                    data=json.dumps(
                        {
                            "jsonrpc": "2.0",
                            "method": "call",
                            "params": {
                                "model": "xero.connection",
                                "method": "write",
                                "args": [[self.connection.id], vals],
                                "kwargs": {},
                            },
                        }
                    ),
                    headers={"Content-Type": "application/json"},
                )
                error = response.json()["error"]["data"]
                self.assertEqual(error["name"], "odoo.exceptions.UserError")
                self.assertIn("Disconnect first", error["message"])
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.client_id, "sandbox-client-id")
        self.assertEqual(self.connection.endpoint_url, self.sandbox.url)

    def test_forged_state_gets_403(self):
        self.authenticate("admin", "admin")
        page = self.url_open("/xero/oauth/callback?code=abc&state=forged", allow_redirects=False)
        self.assertEqual(page.status_code, 403)
        self.assertEqual(self.connection.state, "draft")

    def test_callback_needs_a_logged_in_user(self):
        path = self._callback_path([org_id(self.sandbox, DEMO_ORG)])
        page = self.url_open(path, allow_redirects=False)
        self.assertIn(page.status_code, (302, 303))
        self.assertIn("/web/login", page.headers["Location"])
        self.assertEqual(self.connection.state, "draft")

    def test_secrets_not_readable_over_rpc(self):
        self.authenticate("admin", "admin")
        user = self.env["res.users"].create(
            {
                "name": "Purchase RPC",
                "login": "purchase.rpc",
                "password": "purchase.rpc.pw",
                "groups_id": [(6, 0, [self.env.ref("purchase.group_purchase_user").id])],
            }
        )
        self.assertTrue(user)
        self.authenticate("purchase.rpc", "purchase.rpc.pw")
        response = self.url_open(
            "/web/dataset/call_kw/xero.connection/read",
            data=(
                '{"jsonrpc": "2.0", "method": "call", "params": {"model": "xero.connection", '
                f'"method": "read", "args": [[{self.connection.id}], ["token_data", '
                '"client_secret"]], "kwargs": {}}}'
            ),
            headers={"Content-Type": "application/json"},
        )
        body = response.json()
        self.assertIn("error", body)
        self.assertIn("AccessError", body["error"]["data"]["name"])
