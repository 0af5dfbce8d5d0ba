"""Tokens moved from xero_connection.token_data to a row of their own (xero_token), so
that renewing a token never waits for the transaction that wrote the connection."""

from odoo.tools.sql import column_exists


def migrate(cr, version):
    if not column_exists(cr, "xero_connection", "token_data"):
        return
    cr.execute(
        """
        INSERT INTO xero_token (connection_id, company_id, token_data,
                                create_uid, write_uid, create_date, write_date)
        SELECT id, company_id, token_data, 1, 1, now() at time zone 'utc',
               now() at time zone 'utc'
          FROM xero_connection
         WHERE token_data IS NOT NULL
        ON CONFLICT (connection_id) DO UPDATE SET token_data = EXCLUDED.token_data
        """
    )
    cr.execute("ALTER TABLE xero_connection DROP COLUMN token_data")
