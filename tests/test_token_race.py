"""Two workers renewing the same token at once, with real, separate transactions."""

import threading
import time

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged

from ..xero import normalize_token
from .common import CLIENT_ID, CLIENT_SECRET, DEMO_ORG, org_id, shared_sandbox


@tagged("post_install", "-at_install")
class TestTokenRace(TransactionCase):
    """Works on committed data through cursors of its own (not the test transaction),
    and puts the company's connection back as it was afterwards."""

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def setUp(self):
        super().setUp()
        self.sandbox = shared_sandbox()
        self.sandbox.reset("demo")
        tenant = org_id(self.sandbox, DEMO_ORG)
        token = normalize_token(self.sandbox.tokens(tenants=[tenant]))
        with self.registry.cursor() as cr:
            params = self._env(cr)["ir.config_parameter"]
            self.saved_mode = params.get_param("xero_connector.sandbox_mode")
            params.set_param("xero_connector.sandbox_mode", "1")
            conn = self._env(cr)["xero.connection"].search(
                [("company_id", "=", self.env.company.id)], limit=1
            )
            self.connection_id = conn.id
            self.saved = conn.read(
                [
                    "state",
                    "tenant_id",
                    "tenant_name",
                    "client_id",
                    "client_secret",
                    "endpoint_url",
                    "token_data",
                ]
            )[0]
            conn.write(
                {
                    "state": "connected",
                    "tenant_id": tenant,
                    "tenant_name": DEMO_ORG,
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "endpoint_url": self.sandbox.url,
                    # Expires within the refresh margin: every worker wants to renew it.
                    "token_data": dict(token, expires_at=time.time() + 30),
                }
            )
        self.addCleanup(self._restore)

    def _restore(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            env["xero.log"].search([("connection_id", "=", self.connection_id)]).unlink()
            saved = {k: v for k, v in self.saved.items() if k != "id"}
            env["xero.connection"].browse(self.connection_id).write(saved)
            env["ir.config_parameter"].set_param("xero_connector.sandbox_mode", self.saved_mode)

    def _worker(self, barrier, errors):
        try:
            with self.registry.cursor() as cr:
                conn = self._env(cr)["xero.connection"].browse(self.connection_id)
                client = conn._client()
                barrier.wait(timeout=10)
                client.get_organisation()
        except Exception as exc:  # reported to the main thread below
            errors.append(exc)

    def test_two_workers_leave_one_valid_token_chain(self):
        since = self.sandbox.calls()[-1]["seq"]
        barrier, errors = threading.Barrier(2), []
        threads = [threading.Thread(target=self._worker, args=(barrier, errors)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertFalse([t for t in threads if t.is_alive()], "a worker is stuck")
        self.assertEqual(errors, [])
        refreshes = [
            c
            for c in self.sandbox.calls(since)
            if c["path"] == "/connect/token" and c["status"] == 200
        ]
        self.assertEqual(len(refreshes), 1, "the token was renewed by exactly one worker")
        with self.registry.cursor() as cr:
            conn = self._env(cr)["xero.connection"].browse(self.connection_id)
            stored = conn.token_data
            self.assertEqual(conn.state, "connected")
        # The stored chain is alive: its refresh token still renews.
        status, body = self.sandbox.token_request(
            grant_type="refresh_token",
            refresh_token=stored["refresh_token"],
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
        )
        self.assertEqual(status, 200, body)

    def test_renewal_does_not_wait_for_the_transaction_that_wrote_the_connection(self):
        """A transaction that wrote the connection row (connecting does, before reading
        the organisation) then needs a new token: the renewal runs in a cursor of its
        own and must not wait for that transaction's lock."""
        with self.registry.cursor() as cr:
            conn = self._env(cr)["xero.connection"].browse(self.connection_id)
            conn.write({"tenant_name": DEMO_ORG, "state_reason": "being connected"})
            conn.env.flush_all()  # the row is now locked by this transaction
            try:
                organisation = conn._client().get_organisation()
            finally:
                cr.rollback()
        self.assertEqual(organisation["Name"], DEMO_ORG)
        with self.registry.cursor() as cr:
            stored = self._env(cr)["xero.connection"].browse(self.connection_id).token_data
        # the renewed token was kept although the business transaction rolled back
        self.assertGreater(stored["expires_at"], time.time() + 1700)
