"""Upgrade to 18.0.1.1.0: tokens move to xero.token; a company may keep archived
connections of organisations it was connected to before."""

import importlib.util
from pathlib import Path

from psycopg2.extras import Json

from odoo.tests import tagged
from odoo.tools.sql import column_exists

from .common import XeroCase

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def load(name, version="18.0.1.1.0"):
    """The migration script ``name`` of ``version`` (migrations/<version>/<name>)."""
    path = MIGRATIONS / version / name
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestMigration(XeroCase):
    def test_stored_tokens_move_to_their_own_table(self):
        cr = self.env.cr
        self.env.flush_all()
        # the 18.0.1.0.0 layout: tokens on the connection row
        cr.execute("ALTER TABLE xero_connection ADD COLUMN token_data jsonb")
        token = {"access_token": "a", "refresh_token": "r", "expires_at": 1.0}
        cr.execute(
            "UPDATE xero_connection SET token_data = %s WHERE id = %s",
            [Json(token), self.connection.id],
        )
        cr.execute("DELETE FROM xero_token")
        load("post-xero-token-table.py").migrate(cr, "18.0.1.0.0")
        self.assertFalse(column_exists(cr, "xero_connection", "token_data"))
        cr.execute(
            "SELECT company_id, token_data FROM xero_token WHERE connection_id = %s",
            [self.connection.id],
        )
        self.assertEqual(cr.fetchall(), [(self.company.id, token)])
        self.env.invalidate_all()
        self.assertEqual(self.connection.sudo().token_data["refresh_token"], "r")

    def test_one_connection_per_company_becomes_one_active_connection(self):
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("DROP INDEX xero_connection_company_active_uniq")
        cr.execute(
            "ALTER TABLE xero_connection ADD CONSTRAINT xero_connection_company_uniq"
            " UNIQUE (company_id)"
        )
        load("pre-xero-connection-per-organisation.py").migrate(cr, "18.0.1.0.0")
        self.env["xero.connection"].init()
        cr.execute(
            "SELECT count(*) FROM pg_constraint WHERE conname = 'xero_connection_company_uniq'"
        )
        self.assertEqual(cr.fetchone()[0], 0)
        cr.execute(
            "SELECT count(*) FROM pg_indexes WHERE indexname = %s",
            ["xero_connection_company_active_uniq"],
        )
        self.assertEqual(cr.fetchone()[0], 1)
