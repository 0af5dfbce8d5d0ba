from odoo import models


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "xero.integrated.mixin"]

    _xero_owned_fields = (
        "name",
        "default_code",
        "description_sale",
        "description_purchase",
        "list_price",
        "standard_price",
        "sale_ok",
        "purchase_ok",
        "taxes_id",
        "supplier_taxes_id",
        "property_account_income_id",
        "property_account_expense_id",
    )

    def _xero_linked_ids(self):
        """A template is integrated when one of its variants is linked to a Xero item."""
        variants = self.with_context(active_test=False).product_variant_ids
        linked = variants._xero_linked_ids()
        return {v.product_tmpl_id.id for v in variants if v.id in linked}

    def _xero_all_linked_ids(self):
        ids = self.env["product.product"]._xero_all_linked_ids()
        variants = self.env["product.product"].with_context(active_test=False).browse(ids)
        return variants.exists().product_tmpl_id.ids

    def write(self, vals):
        self._xero_check_owned_write(vals)
        return super().write(vals)
