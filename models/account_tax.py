from odoo import models


class AccountTax(models.Model):
    _name = "account.tax"
    _inherit = ["account.tax", "xero.integrated.mixin"]

    # the name stays Odoo's: a matched tax keeps the name it had
    _xero_owned_fields = ("amount", "amount_type", "type_tax_use", "active")

    def write(self, vals):
        self._xero_check_owned_write(vals)
        return super().write(vals)
