from odoo import fields, models


class XeroDocumentPreviewLine(models.TransientModel):
    """One Xero line item of a preview: what Xero receives and the names behind its
    codes."""

    _name = "xero.document.preview.line"
    _description = "Preview for Xero: line"
    _order = "sequence, id"

    preview_id = fields.Many2one("xero.document.preview", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="preview_id.company_id", store=True)
    currency_id = fields.Many2one(related="preview_id.currency_id")
    sequence = fields.Integer()
    description = fields.Char(readonly=True)
    quantity = fields.Float(digits=(16, 4), readonly=True)
    unit_amount = fields.Float(string="Unit Price", digits=(16, 4), readonly=True)
    discount_rate = fields.Float(string="Discount (%)", digits=(16, 2), readonly=True)
    discount_note = fields.Char(string="Discount", readonly=True)
    line_amount = fields.Monetary(string="Amount", readonly=True)
    tax_amount = fields.Monetary(string="Tax", readonly=True)
    item_code = fields.Char(string="Item", readonly=True)
    account_code = fields.Char(string="Account", readonly=True)
    account_name = fields.Char(string="Account Name", readonly=True)
    tax_type = fields.Char(string="Tax Rate", readonly=True, help="Xero's TaxType code.")
    tax_name = fields.Char(string="Tax Rate Name", readonly=True)
    tax_rate = fields.Float(string="Tax (%)", digits=(16, 4), readonly=True)
    account_label = fields.Char(string="Xero Account", readonly=True)
    tax_label = fields.Char(string="Xero Tax Rate", readonly=True)
    tracking = fields.Char(readonly=True, help="Xero tracking category: option.")
    is_rounding = fields.Boolean(
        string="Rounding Line", readonly=True, help="Added by the company's rounding account."
    )
    incomplete = fields.Boolean(
        readonly=True, help="The line lacks a Xero account or tax rate: Xero would refuse it."
    )
