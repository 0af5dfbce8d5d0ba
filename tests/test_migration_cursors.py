"""Upgrade to 18.0.1.2.0: the payment sync's cursors move from system parameters to
xero.sync.state, beside the Updates' cursors."""

import json
from datetime import datetime

from odoo.tests import tagged

from .common import XeroCase
from .test_migration_oauth import load


@tagged("post_install", "-at_install")
class TestCursorMigration(XeroCase):
    def test_payment_sync_cursors_move_to_the_sync_state(self):
        states = self.env["xero.sync.state"]
        params = self.env["ir.config_parameter"].sudo()
        key = f"xero_connector.sync_cursor.{self.connection.id}"
        # the layout before 18.0.1.2.0: one JSON parameter per connection
        params.set_param(
            key,
            json.dumps(
                {
                    "payments": "2026-03-04T05:06:07",
                    "invoices": "2026-03-01T00:00:00",
                    "credit_notes": "2026-02-01T10:00:00",
                }
            ),
        )
        # a cursor already kept in the table and newer than the parameter's stays
        states._advance(self.connection, "credit_notes", datetime(2026, 2, 2, 9, 0, 0))
        self.env.flush_all()
        load("post-xero-sync-cursors.py", "18.0.1.2.0").migrate(self.env.cr, "18.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(states._cursor(self.connection, "payments"), datetime(2026, 3, 4, 5, 6, 7))
        self.assertEqual(states._cursor(self.connection, "invoices"), datetime(2026, 3, 1))
        self.assertEqual(
            states._cursor(self.connection, "credit_notes"), datetime(2026, 2, 2, 9, 0, 0)
        )
        rows = states.sudo().search(
            [
                ("connection_id", "=", self.connection.id),
                ("object_type", "in", ["payments", "invoices", "credit_notes"]),
            ]
        )
        self.assertEqual(len(rows), 3)
        self.assertEqual(set(rows.company_id.ids), {self.company.id})
        self.assertFalse(params.get_param(key))

    def test_cursor_only_moves_forward(self):
        states = self.env["xero.sync.state"]
        self.assertIsNone(states._cursor(self.connection, "payments"))
        states._advance(self.connection, "payments", datetime(2026, 5, 1))
        states._advance(self.connection, "payments", datetime(2026, 4, 1))
        states._advance(self.connection, "payments", None)
        self.assertEqual(states._cursor(self.connection, "payments"), datetime(2026, 5, 1))
