import json
import logging
import time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import XeroCase, XeroHttpCase


@tagged("post_install", "-at_install")
class TestSecurity(XeroCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connect()
        cls.purchase_user = new_test_user(cls.env, "pu", groups="purchase.group_purchase_user")
        cls.accountant = new_test_user(
            cls.env, "acc", groups="account.group_account_user,account.group_account_invoice"
        )
        cls.xero_admin = new_test_user(
            cls.env, "xadmin", groups="base.group_user,xero_connector.group_xero_manager"
        )
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.connection_b = cls.company_b.xero_connection_id
        cls.connection_b.sudo().write({"client_id": "b-app", "client_secret": "b-secret"})

    def test_secrets_unreadable_without_system_group(self):
        for user in (self.purchase_user, self.accountant, self.xero_admin):
            connection = self.connection.with_user(user)
            for field in ("token_data", "client_secret", "webhook_key"):
                with self.subTest(user=user.login, field=field), self.assertRaises(AccessError):
                    connection.read([field])

    def test_users_see_status_but_not_the_app_id(self):
        connection = self.connection.with_user(self.purchase_user)
        self.assertEqual(connection.read(["state"])[0]["state"], "connected")
        with self.assertRaises(AccessError):
            connection.read(["client_id"])

    def test_only_xero_admins_change_the_connection(self):
        with self.assertRaises(AccessError):
            self.connection.with_user(self.accountant).write({"endpoint_url": "http://evil"})
        with self.assertRaises(AccessError):
            self.connection.with_user(self.purchase_user).action_connect()

    def test_company_a_sees_nothing_of_company_b(self):
        self.connection_b.sudo()._log_sink()({"operation": "probe", "outcome": "ok"})
        self.env["xero.oauth.state"].sudo().create(
            {
                "state_hash": "x" * 64,
                "code_verifier": "v",
                "connection_id": self.connection_b.id,
                "user_id": self.env.uid,
                "expires_at": "2099-01-01 00:00:00",
            }
        )
        for model in ("xero.connection", "xero.log", "xero.link"):
            records = self.env[model].with_user(self.xero_admin).search([])
            self.assertNotIn(self.company_b, records.mapped("company_id"), model)
        self.assertTrue(
            self.env["xero.log"].sudo().search([("company_id", "=", self.company_b.id)])
        )
        with self.assertRaises(AccessError):
            self.connection_b.with_user(self.xero_admin).read(["state"])

    def test_no_secret_in_server_log(self):
        records = []

        class Collect(logging.Handler):
            def emit(self, record):
                records.append(self.format(record))

        handler = Collect(level=logging.DEBUG)
        root = logging.getLogger()
        ours = logging.getLogger("odoo.addons.xero_connector")
        old_levels = root.level, ours.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        ours.setLevel(logging.DEBUG)
        try:
            connection = self.connection.sudo()
            connection.token_data = dict(connection.token_data, expires_at=time.time() + 10)
            connection.action_test_connection()  # refreshes, then calls Xero
            connection.invalidate_recordset()
            token = connection.token_data
        finally:
            root.removeHandler(handler)
            root.setLevel(old_levels[0])
            ours.setLevel(old_levels[1])
        text = "\n".join(records)
        # The renewal and the call were logged, at debug level, without their secrets.
        self.assertIn("/connect/token", text)
        self.assertIn("Organisation", text)
        for secret in (token["access_token"], token["refresh_token"], connection.client_secret):
            self.assertNotIn(secret, text)
        self.assertNotIn("Bearer ", text)

    def _logged_po_call(self):
        """A call logged for a purchase order, carrying partner data both ways."""
        partner = self.env["res.partner"].create({"name": "Payload Partner"})
        order = self.env["purchase.order"].create({"partner_id": partner.id})
        self.connection.sudo()._log_sink()(
            {
                "concerns": (("purchase.order", order.id),),
                "operation": "save_purchase_orders",
                "method": "POST",
                "url": "http://x/api.xro/2.0/Contacts?where=Name%3D%3D%22Payload%20Partner%22",
                "outcome": "failed",
                "xero_message": "Xero rejected the data: bad date",
                "request": '{"Contact": {"Name": "Payload Partner"}, "Total": "1234.56"}',
                "response": '{"Elements": [{"Total": "1234.56"}]}',
                "idempotency_key": "xc-key",
            }
        )
        self.connection.sudo()._log_sink()(
            {"operation": "get_contacts", "outcome": "ok", "request": "?where=Name==x"}
        )
        return order

    def test_users_see_only_the_calls_of_documents_they_may_read(self):
        self._logged_po_call()
        customer = self.env["res.partner"].create({"name": "Customer of sales"})
        invoice = self.env["account.move"].create(
            {"move_type": "out_invoice", "partner_id": customer.id}
        )
        self.connection.sudo()._log_sink()(
            {
                "concerns": (("account.move", invoice.id),),
                "operation": "save_invoices",
                "outcome": "failed",
                "xero_message": "Customer...",
            }
        )
        Log = self.env["xero.log"]
        # A buyer may not read customer invoices: nor the calls made for them.
        self.assertEqual(
            Log.with_user(self.purchase_user).search([]).mapped("res_model"), ["purchase.order"]
        )
        rows = Log.sudo().search([("res_model", "=", "account.move")])
        with self.assertRaises(AccessError):
            rows.with_user(self.purchase_user).read(["message"])
        self.assertEqual(
            sorted(Log.with_user(self.accountant).search([]).mapped("res_model")),
            ["account.move", "purchase.order"],
        )

    def test_payloads_of_the_sync_log_are_for_xero_admins_only(self):
        order = self._logged_po_call()
        Log = self.env["xero.log"]
        for user in (self.purchase_user, self.accountant):
            logs = Log.with_user(user).search([])
            with self.subTest(user=user.login):
                # Outcomes of calls for documents are visible...
                self.assertEqual(logs.mapped("res_model"), ["purchase.order"])
                row = logs.read(["outcome", "message", "http_status", "res_id"])[0]
                self.assertEqual(row["outcome"], "error")
                self.assertEqual(row["res_id"], order.id)
                order.invalidate_recordset(["xero_log_ids"])
                self.assertEqual(order.with_user(user).xero_log_ids, logs)
                # ...what was sent and received is not, whatever the RPC call.
                for field in ("request_summary", "response_summary", "url", "idempotency_key"):
                    with self.assertRaises(AccessError):
                        logs.read([field])
                    with self.assertRaises(AccessError):
                        Log.with_user(user).search_read([], [field])
                    with self.assertRaises(AccessError):
                        Log.with_user(user).search([(field, "ilike", "Payload")])
        admin_logs = Log.with_user(self.xero_admin).search([])
        self.assertIn(False, admin_logs.mapped("res_model"))  # calls of no document too
        rows = admin_logs.read(["request_summary", "response_summary"])
        self.assertTrue(any("Payload Partner" in (r["request_summary"] or "") for r in rows))


@tagged("post_install", "-at_install")
class TestGuardOverRpc(XeroHttpCase):
    def test_xero_sync_in_an_rpc_context_does_not_unlock_owned_fields(self):
        user = new_test_user(
            self.env,
            "rpc_acc",
            password="rpc_acc_password",
            groups="account.group_account_manager,base.group_user",
        )
        account = self.env["account.account"].create(
            {"code": "777001", "name": "Linked to Xero", "account_type": "expense"}
        )
        self.env["xero.link"].sudo().create(
            {
                "connection_id": self.connection.id,
                "xero_type": "account",
                "res_model": "account.account",
                "res_id": account.id,
                "xero_id": "0a0a0a0a-0000-4000-8000-000000000777",
            }
        )
        self.authenticate("rpc_acc", "rpc_acc_password")
        for context in ({"xero_sync": True}, {"xero_sync": 1}, {"xero_sync": "XERO_SYNC"}):
            with self.subTest(context=context):
                response = self.url_open(
                    "/web/dataset/call_kw/account.account/write",
                    data=json.dumps(
                        {
                            "jsonrpc": "2.0",
                            "method": "call",
                            "params": {
                                "model": "account.account",
                                "method": "write",
                                "args": [[account.id], {"name": "Renamed over RPC"}],
                                "kwargs": {"context": context},
                            },
                        }
                    ),
                    headers={"Content-Type": "application/json"},
                )
                error = response.json().get("error") or {}
                self.assertIn("comes from Xero", error.get("data", {}).get("message", ""))
        account.invalidate_recordset()
        self.assertEqual(account.name, "Linked to Xero")
        self.assertTrue(user.has_group("account.group_account_manager"))
