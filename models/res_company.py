from odoo import api, fields, models

XERO_STATUSES = [
    ("DRAFT", "Draft"),
    ("SUBMITTED", "Awaiting Approval"),
    ("AUTHORISED", "Awaiting Payment"),
]
EXPORT_MODES = [
    ("auto", "Automatic (on approval or posting)"),
    ("manual", "Manual (Send to Xero button)"),
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

    # -- document export (automatic or manual per type; default Xero accounts) ----------
    xero_purchase_order_mode = fields.Selection(
        EXPORT_MODES, string="Purchase Orders to Xero", default="auto", required=True
    )
    xero_vendor_bill_mode = fields.Selection(
        EXPORT_MODES, string="Vendor Bills to Xero", default="auto", required=True
    )
    xero_customer_invoice_mode = fields.Selection(
        EXPORT_MODES, string="Customer Invoices to Xero", default="auto", required=True
    )
    xero_credit_note_mode = fields.Selection(
        EXPORT_MODES, string="Credit Notes to Xero", default="auto", required=True
    )
    xero_purchase_account_code = fields.Char(
        string="Default Xero Account for Purchases",
        help="Xero account code used for purchase and bill lines whose Odoo account has "
        "no Xero account linked. Empty: such lines are refused.",
    )
    xero_sales_account_code = fields.Char(
        string="Default Xero Account for Sales",
        help="Xero account code used for invoice lines whose Odoo account has no Xero "
        "account linked. Empty: such lines are refused.",
    )

    # -- payments and status from Xero ------------------------------------------------------
    xero_payment_journal_id = fields.Many2one(
        "account.journal",
        string="Journal of Xero Payments",
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', id)]",
        help="Payments recorded in Xero land in this journal, unless their Xero bank "
        "account is mapped to another journal. Created as 'Xero payments' when first needed.",
    )
    xero_push_payments = fields.Boolean(
        string="Send Odoo Payments to Xero",
        help="A payment registered in Odoo on a document sent to Xero is recorded in Xero "
        "on the Xero bank account of its journal; cancelling it deletes it there.",
    )
