from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    xero_company_name = fields.Char(related="company_id.name", string="Xero Company")
