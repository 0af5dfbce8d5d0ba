from odoo import models


class AccountAnalyticPlan(models.Model):
    _name = "account.analytic.plan"
    _inherit = ["account.analytic.plan", "xero.integrated.mixin"]

    _xero_owned_fields = ("name",)

    def write(self, vals):
        self._xero_check_owned_write(vals)
        return super().write(vals)
