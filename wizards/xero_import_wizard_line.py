from odoo import fields, models


class XeroImportWizardLine(models.TransientModel):
    """One Xero record listed in the import wizard."""

    _name = "xero.import.wizard.line"
    _description = "Import from Xero: line"
    _order = "id"

    wizard_id = fields.Many2one("xero.import.wizard", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="wizard_id.company_id", store=True)
    selected = fields.Boolean()
    xero_id = fields.Char(string="Xero ID", readonly=True)
    name = fields.Char(readonly=True)
    code = fields.Char(readonly=True)
    xero_kind = fields.Char(string="Type", readonly=True)
    details = fields.Char(readonly=True)
    xero_status = fields.Char(string="Status", readonly=True)
    importable = fields.Boolean(readonly=True)
    reason = fields.Char(string="Why it can't be imported", readonly=True)
    integrated = fields.Boolean(string="Already imported", readonly=True)
    match_model = fields.Char(readonly=True)
    match_id = fields.Integer(readonly=True)
    match_name = fields.Char(string="In Odoo", readonly=True)
    payload = fields.Json(readonly=True)
