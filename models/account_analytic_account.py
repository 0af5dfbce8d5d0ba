from odoo import models


class AccountAnalyticAccount(models.Model):
    _name = "account.analytic.account"
    _inherit = ["account.analytic.account", "xero.integrated.mixin"]

    _xero_owned_fields = ("name", "plan_id", "active")

    def write(self, vals):
        self._xero_check_owned_write(vals)
        return super().write(vals)
