from odoo import fields, models


class XeroToken(models.Model):
    """The OAuth token set of one Xero connection, in a row of its own.

    Only the token store writes it, through a cursor of its own committed at once
    (see xero_token_store.py): the business transaction never holds a lock on this
    row, so a token renewal never waits for the transaction that asked for it (which
    may well have written the connection itself)."""

    _name = "xero.token"
    _description = "Xero Connection Tokens"

    connection_id = fields.Many2one(
        "xero.connection", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    token_data = fields.Json(readonly=True)

    _sql_constraints = [
        ("connection_uniq", "unique(connection_id)", "A Xero connection has one token set."),
    ]
