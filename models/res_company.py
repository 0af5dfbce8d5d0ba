from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

XERO_STATUSES = [
    ("DRAFT", "Draft"),
    ("SUBMITTED", "Awaiting Approval"),
    ("AUTHORISED", "Awaiting Payment"),
]
# The crons that read Xero on a schedule; "Read Xero every (minutes)" sets their interval.
PULL_CRONS = ("ir_cron_xero_update", "ir_cron_xero_payment_sync")
MIN_SYNC_INTERVAL = 5  # Xero's daily call limit (1,000 on the Starter tier) in mind
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
        string="Xero Sync Interval (minutes)",
        default=15,
        help="How often Xero is read: payments and statuses, and the scheduled Update "
        "of master data. The scheduled jobs serve every company: the shortest interval "
        "of the companies using Xero applies.",
    )
    xero_log_retention_days = fields.Integer(
        string="Keep Xero Log (days)", default=90, help="0 keeps the log forever."
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["xero.connection"].sudo().create([{"company_id": c.id} for c in companies])
        return companies

    @api.constrains("xero_sync_interval")
    def _check_xero_sync_interval(self):
        for company in self:
            if company.xero_sync_interval < MIN_SYNC_INTERVAL:
                raise ValidationError(
                    _("Xero is read at most every %s minutes.", MIN_SYNC_INTERVAL)
                )

    def write(self, vals):
        res = super().write(vals)
        if "xero_sync_interval" in vals:
            self._xero_apply_sync_interval()
        return res

    def _xero_apply_sync_interval(self):
        """Give the crons reading Xero the shortest interval of the companies that use
        Xero (and of ``self``, being set up)."""
        companies = (
            self.sudo().search([("xero_connection_ids.state", "in", ("connected", "reconnect"))])
            | self.sudo()
        )
        minutes = min(companies.mapped("xero_sync_interval") or [15])
        for xmlid in PULL_CRONS:
            cron = self.env.ref(f"xero_connector.{xmlid}", raise_if_not_found=False)
            if cron and (cron.interval_number, cron.interval_type) != (minutes, "minutes"):
                cron.sudo().write({"interval_number": minutes, "interval_type": "minutes"})

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
    xero_rounding_account_code = fields.Char(
        string="Xero Rounding Account",
        help="Xero account code of a rounding line added when Xero's total (tax rounded "
        "per line) differs from Odoo's by no more than the tolerance. Empty: no rounding "
        "line; the difference is flagged on the document.",
    )
    xero_rounding_tolerance = fields.Float(
        string="Xero Rounding Tolerance",
        default=0.05,
        digits=(16, 2),
        help="Largest difference between Odoo's and Xero's totals a rounding line may "
        "carry, in the document's currency. Beyond it the difference is flagged.",
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

    def _xero_payment_journal(self, xero_account_id=None):
        """The journal of a payment read from Xero: the journal mapped to its Xero bank
        account, else the company's "Xero payments" journal (created when first needed)."""
        self.ensure_one()
        Journal = self.env["account.journal"].sudo()
        if xero_account_id:
            mapped = Journal.search(
                [
                    ("company_id", "=", self.id),
                    ("xero_bank_account_id.xero_id", "=", xero_account_id),
                ],
                limit=1,
            )
            if mapped:
                return mapped
        if self.xero_payment_journal_id:
            return self.xero_payment_journal_id
        code = "XERO"
        taken = set(Journal.search([("company_id", "=", self.id)]).mapped("code"))
        counter = 1
        while code in taken:
            counter += 1
            code = f"XER{counter}"
        journal = Journal.create(
            {"name": _("Xero payments"), "code": code, "type": "bank", "company_id": self.id}
        )
        self.sudo().xero_payment_journal_id = journal
        return journal
