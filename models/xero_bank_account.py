from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..xero import XeroError


class XeroBankAccount(models.Model):
    """A BANK account of the Xero organisation, read from Xero, that Odoo journals are
    mapped to: payments registered in a mapped journal go to that Xero account, and
    payments Xero records on it land in that journal."""

    _name = "xero.bank.account"
    _description = "Xero Bank Account"
    _order = "code, name"

    connection_id = fields.Many2one("xero.connection", required=True, ondelete="cascade")
    company_id = fields.Many2one(
        related="connection_id.company_id", store=True, index=True, readonly=True
    )
    xero_id = fields.Char(string="Xero Account ID", required=True, readonly=True)
    code = fields.Char(readonly=True)
    name = fields.Char(required=True, readonly=True)
    currency_code = fields.Char(string="Currency", readonly=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "xero_id_uniq",
            "unique(connection_id, xero_id)",
            "This Xero bank account is already listed.",
        )
    ]

    @api.depends("code", "name", "currency_code")
    def _compute_display_name(self):
        for account in self:
            label = f"{account.code} {account.name}" if account.code else account.name
            if account.currency_code:
                label = f"{label} ({account.currency_code})"
            account.display_name = label

    @api.model
    def _xero_load(self, connection):
        """Read the organisation's BANK accounts from Xero; returns the records."""
        try:
            rows = connection._client().get_accounts(where='Type=="BANK"')
        except XeroError as exc:
            raise UserError(
                _("Xero bank accounts could not be read: %s", exc.user_message())
            ) from exc
        existing = {
            a.xero_id: a
            for a in self.with_context(active_test=False).search(
                [("connection_id", "=", connection.id)]
            )
        }
        seen = self.browse()
        for row in rows:
            vals = {
                "code": row.get("Code") or False,
                "name": row.get("Name") or row.get("Code") or row.get("AccountID"),
                "currency_code": row.get("CurrencyCode") or False,
                "active": row.get("Status", "ACTIVE") == "ACTIVE",
            }
            account = existing.get(row.get("AccountID"))
            if account:
                account.write(vals)
            else:
                account = self.create(
                    dict(vals, connection_id=connection.id, xero_id=row.get("AccountID"))
                )
            seen |= account
        (self.browse([a.id for a in existing.values()]) - seen).write({"active": False})
        return seen
