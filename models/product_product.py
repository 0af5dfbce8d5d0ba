from odoo import models


class ProductProduct(models.Model):
    _name = "product.product"
    _inherit = ["product.product", "xero.integrated.mixin"]

    # fields stored on the variant; the template's own are checked by product.template
    _xero_owned_fields = ("default_code", "standard_price")

    def write(self, vals):
        self._xero_check_owned_write(vals)
        return super().write(vals)
