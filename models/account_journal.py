from odoo import fields, models


class AccountJournal(models.Model):
    _inherit = "account.journal"

    xero_bank_account_id = fields.Many2one(
        "xero.bank.account",
        string="Xero Bank Account",
        domain="[('company_id', '=', company_id)]",
        check_company=True,
        copy=False,
        help="Payments registered in this journal on documents sent to Xero are recorded "
        "on this Xero bank account; payments Xero records on it land in this journal.",
    )
