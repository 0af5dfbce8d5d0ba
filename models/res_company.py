from odoo import api, fields, models

XERO_STATUSES = [
    ("DRAFT", "Draft"),
    ("SUBMITTED", "Awaiting Approval"),
    ("AUTHORISED", "Awaiting Payment"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    xero_connection_ids = fields.One2many(
        "xero.connection", "company_id", string="Xero Connections"
    )
    xero_connection_id = fields.Many2one(
        "xero.connection", compute="_compute_xero_connection_id", string="Xero Connection"
    )
    xero_export_purchase_order = fields.Boolean(string="Send Purchase Orders to Xero")
    xero_export_vendor_bill = fields.Boolean(string="Send Vendor Bills to Xero", default=True)
    xero_export_customer_invoice = fields.Boolean(string="Send Customer Invoices to Xero")
    xero_export_credit_note = fields.Boolean(string="Send Credit Notes to Xero")
    xero_document_status = fields.Selection(
        XERO_STATUSES,
        string="Xero Status of New Documents",
        default="SUBMITTED",
        required=True,
    )
    xero_sync_interval = fields.Integer(
        string="Xero Sync Interval (minutes)", default=15, help="How often Xero is read."
    )
    xero_log_retention_days = fields.Integer(
        string="Keep Xero Log (days)", default=90, help="0 keeps the log forever."
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["xero.connection"].sudo().create([{"company_id": c.id} for c in companies])
        return companies

    @api.depends("xero_connection_ids")
    def _compute_xero_connection_id(self):
        for company in self:
            company.xero_connection_id = company.xero_connection_ids[:1]
