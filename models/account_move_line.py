from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    xero_line_id = fields.Char(
        string="Xero Line ID",
        copy=False,
        readonly=True,
        help="Xero's LineItemID: updates change this line in Xero instead of replacing it.",
    )
