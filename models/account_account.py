from odoo import models


class AccountAccount(models.Model):
    _name = "account.account"
    _inherit = ["account.account", "xero.integrated.mixin"]

    _xero_owned_fields = ("name", "code", "account_type", "deprecated")

    def write(self, vals):
        self._xero_check_owned_write(vals)
        return super().write(vals)
