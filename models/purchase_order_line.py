from odoo import api, fields, models

# Line fields whose change makes a sent purchase order differ from Xero's copy.
XERO_LINE_FIELDS = {
    "product_id",
    "name",
    "product_qty",
    "price_unit",
    "discount",
    "taxes_id",
    "analytic_distribution",
    "display_type",
}


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    xero_line_id = fields.Char(
        string="Xero Line ID",
        copy=False,
        readonly=True,
        help="Xero's LineItemID: updates change this line in Xero instead of replacing it.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._xero_mark_changed()
        return lines

    def write(self, vals):
        res = super().write(vals)
        if XERO_LINE_FIELDS.intersection(vals):
            self.order_id._xero_mark_changed()
        return res

    def unlink(self):
        orders = self.order_id
        res = super().unlink()
        orders.exists()._xero_mark_changed()
        return res
