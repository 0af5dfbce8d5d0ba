from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..xero import XeroError
from ..xero.mapping import documents as doc_mapping

CATEGORIES = [
    ("match", "In both, equal"),
    ("differ", "In both, different"),
    ("odoo_only", "In Odoo only"),
    ("xero_only", "In Xero only"),
    ("payment_odoo_only", "Payment in Odoo only"),
    ("payment_xero_only", "Payment in Xero only"),
]
PAYMENT_DOC_TYPES = {
    "ACCRECPAYMENT": "ACCREC",
    "ACCPAYPAYMENT": "ACCPAY",
    "ARCREDITPAYMENT": "ACCRECCREDIT",
    "APCREDITPAYMENT": "ACCPAYCREDIT",
}
DOC_TYPES = [
    ("purchase_order", "Purchase Order"),
    ("vendor_bill", "Vendor Bill"),
    ("vendor_refund", "Vendor Credit Note"),
    ("customer_invoice", "Customer Invoice"),
    ("customer_refund", "Customer Credit Note"),
    ("payment", "Payment"),
]


class XeroReconciliationLine(models.Model):
    """One document or payment of a reconciliation run: Odoo's figures beside Xero's,
    why they differ, and the action that fixes it."""

    _name = "xero.reconciliation.line"
    _description = "Xero Reconciliation Result"
    _order = "reconciliation_id, category, doc_type, date, id"

    reconciliation_id = fields.Many2one(
        "xero.reconciliation", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(
        related="reconciliation_id.company_id", store=True, index=True, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    category = fields.Selection(CATEGORIES, required=True, index=True, readonly=True)
    doc_type = fields.Selection(DOC_TYPES, string="Type", readonly=True, index=True)
    side = fields.Selection([("payable", "Payables"), ("receivable", "Receivables")], readonly=True)
    reason = fields.Char(readonly=True)
    differences = fields.Char(readonly=True, help="The fields that differ.")
    res_model = fields.Char(string="Odoo Model", readonly=True)
    res_id = fields.Many2oneReference(model_field="res_model", readonly=True)
    odoo_reference = fields.Char(string="Odoo", readonly=True)
    partner_name = fields.Char(string="Partner", readonly=True)
    date = fields.Date(readonly=True)
    currency_code = fields.Char(string="Currency", readonly=True)
    doc_currency_id = fields.Many2one(
        "res.currency", string="Document Currency", readonly=True, help="Amounts are in it."
    )
    odoo_total = fields.Monetary(
        string="Odoo Total", currency_field="doc_currency_id", readonly=True
    )
    odoo_tax = fields.Monetary(string="Odoo Tax", currency_field="doc_currency_id", readonly=True)
    odoo_paid = fields.Monetary(string="Odoo Paid", currency_field="doc_currency_id", readonly=True)
    odoo_status = fields.Char(readonly=True)
    xero_kind = fields.Char(readonly=True)
    xero_type = fields.Char(readonly=True)
    xero_id = fields.Char(string="Xero ID", readonly=True, index=True)
    xero_number = fields.Char(readonly=True)
    xero_total = fields.Monetary(
        string="Xero Total", currency_field="doc_currency_id", readonly=True
    )
    xero_tax = fields.Monetary(string="Xero Tax", currency_field="doc_currency_id", readonly=True)
    xero_paid = fields.Monetary(string="Xero Paid", currency_field="doc_currency_id", readonly=True)
    xero_status = fields.Char(readonly=True)
    xero_currency_code = fields.Char(string="Xero Currency", readonly=True)
    xero_document_id = fields.Char(readonly=True, help="For a payment: the Xero document it pays.")
    target_res_model = fields.Char(readonly=True)
    target_res_id = fields.Many2oneReference(model_field="target_res_model", readonly=True)
    balance_effect = fields.Monetary(
        readonly=True,
        help="What this line adds to the payables/receivables difference (Odoo minus Xero, "
        "company currency, debit positive).",
    )
    xero_url = fields.Char(string="Xero Link", compute="_compute_xero_url")
    expected = fields.Boolean(
        readonly=True, help="Marked as an expected difference: it no longer counts."
    )
    note = fields.Char(help="Why the difference is expected, or what was done.")
    fixed = fields.Char(readonly=True, help="The fix applied; run again to confirm.")
    link_move_id = fields.Many2one(
        "account.move",
        string="Link to Odoo invoice/bill",
        domain="[('company_id', '=', company_id), ('xero_id', '=', False), "
        "('state', '=', 'posted')]",
    )
    link_order_id = fields.Many2one(
        "purchase.order",
        string="Link to Odoo purchase order",
        domain="[('company_id', '=', company_id), ('xero_id', '=', False)]",
    )
    can_resend = fields.Boolean(compute="_compute_actions")
    can_pull = fields.Boolean(compute="_compute_actions")
    can_link = fields.Boolean(compute="_compute_actions")

    @api.depends("xero_id", "xero_kind", "xero_type", "xero_document_id")
    def _compute_xero_url(self):
        for line in self:
            connection = line.reconciliation_id.connection_id.sudo()
            base = connection.endpoint_url or None
            kind, xero_type, xero_id = line.xero_kind, line.xero_type, line.xero_id
            if kind == "payments":  # a payment opens on its document
                xero_type = PAYMENT_DOC_TYPES.get(xero_type, "ACCPAY")
                kind = "credit_notes" if "CREDIT" in xero_type else "invoices"
                xero_id = line.xero_document_id
            gone = line.xero_status == "DELETED" and line.xero_kind != "payments"
            line.xero_url = (
                doc_mapping.web_url(kind, xero_type, xero_id, sandbox_base=base)
                if xero_id and not gone
                else False
            )

    @api.depends("category", "res_model", "res_id", "expected", "fixed", "odoo_total", "xero_total")
    def _compute_actions(self):
        for line in self:
            open_ = not line.expected and not line.fixed
            doc = line._odoo_record()
            line.can_resend = bool(open_ and doc and line._resendable(doc))
            line.can_pull = bool(
                open_
                and line.category in ("payment_xero_only", "differ")
                and (line.target_res_id or (doc and doc._name == "account.move"))
            )
            line.can_link = bool(open_ and line.category == "xero_only")

    def _resendable(self, doc):
        """Whether sending Odoo's version again is the fix: not sent, refused, changed
        since sent, or its amounts edited in Xero while not approved there (Odoo's
        version replaces Xero's; approved documents are revised in Xero)."""
        if self.category not in ("odoo_only", "differ", "payment_odoo_only"):
            return False
        if doc._name == "account.payment":
            return self.category == "payment_odoo_only"
        if not doc._xero_is_exportable_state():
            return False
        if doc.xero_state in ("not_sent", "error", "changed"):
            return True
        currency = self.doc_currency_id
        amounts_differ = currency.compare_amounts(
            self.odoo_total, self.xero_total
        ) or currency.compare_amounts(self.odoo_tax, self.xero_tax)
        return bool(
            self.category == "differ"
            and doc.xero_state == "sent"
            and amounts_differ
            and self.xero_status in ("DRAFT", "SUBMITTED")  # approved: revised in Xero
        )

    def _odoo_record(self):
        self.ensure_one()
        if not self.res_model or not self.res_id:
            return None
        record = self.env[self.res_model].browse(self.res_id).exists()
        return record or None

    # -- actions ------------------------------------------------------------------------
    def action_open_odoo(self):
        self.ensure_one()
        record = self._odoo_record()
        if record is None and self.target_res_model and self.target_res_id:
            record = self.env[self.target_res_model].browse(self.target_res_id).exists()
        if not record:
            raise UserError(_("This one is not in Odoo."))
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_open_xero(self):
        self.ensure_one()
        if not self.xero_url:
            raise UserError(_("This one is not in Xero."))
        return {"type": "ir.actions.act_url", "url": self.xero_url, "target": "new"}

    def _check_manager(self):
        if not self.env.user.has_group("xero_connector.group_xero_manager") and not (
            self.env.user.has_group("account.group_account_user")
        ):
            raise UserError(_("Only Xero administrators and accountants fix differences."))

    def action_resend(self):
        """Send the Odoo document (or payment) to Xero again."""
        self._check_manager()
        for line in self:
            doc = line._odoo_record()
            if not line.can_resend:
                raise UserError(_("%s cannot be sent from here.", line.odoo_reference or ""))
            doc.action_xero_send()
            line.sudo().fixed = _("Sent again by %s", self.env.user.name)
        return self._reload()

    def action_pull_payments(self):
        """Read the document's payments and status from Xero now."""
        self._check_manager()
        Sync = self.env["xero.payment.sync"]
        for line in self:
            if not line.can_pull:
                raise UserError(_("There is nothing to read from Xero for this line."))
            doc = line._odoo_record()
            if not doc or doc._name != "account.move":
                doc = self.env["account.move"].browse(line.target_res_id)
            connection = line.reconciliation_id.connection_id
            try:
                Sync._xero_refresh_documents(connection, doc._xero_kind(), [doc.xero_id])
            except XeroError as exc:
                raise UserError(_("Xero could not be read: %s", exc.user_message())) from exc
            line.sudo().fixed = _("Payments read from Xero by %s", self.env.user.name)
        return self._reload()

    def action_link(self):
        """Link a Xero-only document to the Odoo document it is (chosen on the line)."""
        self._check_manager()
        self.ensure_one()
        if not self.can_link:
            raise UserError(_("Only a document in Xero only can be linked."))
        doc = self.link_order_id if self.xero_kind == "purchase_orders" else self.link_move_id
        if not doc:
            raise UserError(_("Choose the Odoo document this Xero document is first."))
        if doc.xero_id:
            raise UserError(_("%s is already linked to a Xero document.", doc.display_name))
        if doc.company_id != self.company_id:
            raise UserError(_("%s belongs to another company.", doc.display_name))
        doc._xero_write(
            {
                "xero_id": self.xero_id,
                "xero_connection_id": self.reconciliation_id.connection_id.id,
                "xero_number": self.xero_number or False,
                "xero_status": self.xero_status or False,
                "xero_state": "sent",
                "xero_error": False,
            }
        )
        doc.message_post(
            body=_(
                "Linked to Xero document %s from a reconciliation.",
                self.xero_number or self.xero_id,
            )
        )
        self.sudo().write(
            {
                "fixed": _("Linked to %s", doc.display_name),
                "res_model": doc._name,
                "res_id": doc.id,
                "odoo_reference": doc.display_name,
            }
        )
        return self._reload()

    def action_mark_expected(self):
        """An accepted difference (e.g. entered in Xero by the accountant on purpose)."""
        self._check_manager()
        self.sudo().write({"expected": True})
        self.reconciliation_id.sudo()._update_health()
        return self._reload()

    def action_unmark_expected(self):
        self._check_manager()
        self.sudo().write({"expected": False})
        self.reconciliation_id.sudo()._update_health()
        return self._reload()

    def _reload(self):
        return {"type": "ir.actions.client", "tag": "soft_reload"}
