from odoo import _, api, fields, models
from odoo.tools import SQL, formatLang

from ..xero.mapping import documents as mapping
from ..xero.mapping import payment as payment_mapping

MOVE_TYPES = {
    "in_invoice": "ACCPAY",
    "out_invoice": "ACCREC",
    "in_refund": "ACCPAYCREDIT",
    "out_refund": "ACCRECCREDIT",
}
SETTINGS = {
    "in_invoice": ("xero_export_vendor_bill", "xero_vendor_bill_mode"),
    "out_invoice": ("xero_export_customer_invoice", "xero_customer_invoice_mode"),
    "in_refund": ("xero_export_vendor_bill", "xero_vendor_bill_mode"),
    "out_refund": ("xero_export_credit_note", "xero_credit_note_mode"),
}


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "xero.document.mixin"]

    # -- document hooks ---------------------------------------------------------------
    def _xero_type(self):
        return MOVE_TYPES.get(self.move_type)

    def _xero_kind(self):
        return mapping.kind_of_type(MOVE_TYPES.get(self.move_type, "ACCPAY"))

    def _xero_setting(self):
        names = SETTINGS.get(self.move_type)
        if not names:
            return (False, "manual")
        return (bool(self.company_id[names[0]]), self.company_id[names[1]] or "auto")

    def _xero_is_exportable_state(self):
        return self.state == "posted" and self.move_type in MOVE_TYPES

    def _xero_partner(self):
        return self.commercial_partner_id

    def _xero_lines(self):
        return self.invoice_line_ids.filtered(lambda line: line.display_type == "product")

    def _xero_cron_xmlid(self):
        return "xero_connector.ir_cron_xero_export_account_move"

    def _xero_after_first_send(self):
        """Payments registered before the document reached Xero (while the connection
        needed reconnecting, say) found nothing to pay in Xero then: they go now."""
        lines = self.line_ids
        partials = lines.matched_debit_ids | lines.matched_credit_ids
        moves = partials.debit_move_id.move_id | partials.credit_move_id.move_id
        moves.origin_payment_id.filtered(
            lambda p: p.xero_push_state == "not_sent" and p.state not in ("draft", "canceled")
        )._xero_queue_push()

    def _xero_odoo_totals(self):
        return self.amount_total, self.amount_tax

    def _xero_url_back(self):
        base = self.get_base_url().rstrip("/")
        return f"{base}/odoo/account.move/{self.id}"

    def _xero_line_sources(self, line):
        return line.account_id, line.tax_ids, line.product_id

    def _xero_values(self, connection):
        self.ensure_one()
        xero_type = self._xero_type()
        sales = xero_type in mapping.SALES_TYPES
        lines = self._xero_mapped_lines(connection, sales)
        contact = self._xero_contact_id(connection)
        if sales:
            number, reference = self.name, self.ref
        else:
            number, reference = self.ref or self.name, self.name
        return {
            "kind": self._xero_kind(),
            "type": xero_type,
            "xero_id": self.xero_id,
            "contact_id": contact,
            "date": self.invoice_date or self.date,
            "due_date": self.invoice_date_due,
            "number": number,
            "reference": reference,
            "url": self._xero_url_back(),
            "currency": self.currency_id.name,
            "currency_rate": (
                self.invoice_currency_rate
                if self.currency_id != self.company_id.currency_id
                else None
            ),
            "status": self.company_id.xero_document_status,
            "lines": lines,
            "total": self.amount_total,
            "rounding": self._xero_rounding(connection),
        }

    def _xero_allocate(self, client, record):
        """A credit note goes onto the invoice it reverses when Xero holds both approved
        (Xero allocates only AUTHORISED documents, and not in the creating call)."""
        origin = self.reversed_entry_id
        data = self._xero_data()
        if (
            self._xero_kind() != "credit_notes"
            or not origin.xero_id
            or data.get("allocated")
            or record.get("Status") != "AUTHORISED"
        ):
            return []
        invoice = client.get_record("invoices", origin.xero_id)
        if invoice.get("Status") != "AUTHORISED":
            return [
                self.env._(
                    "Not allocated in Xero to %s: that document is not approved there.",
                    origin.name,
                )
            ]
        # Never more than the credit note has left (a refund may already use some).
        remaining = record.get("RemainingCredit")
        if remaining is None:
            remaining = client.get_record("credit_notes", self.xero_id).get("RemainingCredit")
        amount = min(float(remaining or 0), float(invoice.get("AmountDue") or 0))
        if amount > 0:
            client.allocate_credit_note(self.xero_id, origin.xero_id, amount, date=self.date)
        data["allocated"] = True
        self._xero_write({"xero_sync_data": data})
        return []

    # -- export engine hooks -------------------------------------------------------------
    @api.model
    def _xero_kinds(self):
        return ["invoices", "credit_notes"]

    @api.model
    def _xero_kind_sql(self, kind):
        types = ["in_invoice", "out_invoice"] if kind == "invoices" else ["in_refund", "out_refund"]
        return SQL("state = 'posted' AND move_type IN %s", tuple(types))

    @api.model
    def _xero_exportable_domain(self):
        return [("state", "=", "posted"), ("move_type", "in", list(MOVE_TYPES))]

    # -- Odoo events ------------------------------------------------------------------
    def _post(self, soft=True):
        posted = super()._post(soft)
        posted.filtered(lambda m: m.move_type in MOVE_TYPES)._xero_on_event()
        return posted

    def button_draft(self):
        docs = self.filtered(lambda m: m.move_type in MOVE_TYPES)
        # A draft is not meant for Xero: no queue mark and no error left from before.
        docs.filtered(lambda m: m.xero_state in ("queued", "error") and not m.xero_id)._xero_write(
            {"xero_state": "not_sent", "xero_error": False}
        )
        docs.filtered(lambda m: m.xero_state == "error" and m.xero_id)._xero_write(
            {"xero_state": "changed", "xero_error": False}
        )
        docs._xero_mark_changed()
        docs._xero_outbox_fixed()
        return super().button_draft()

    def button_cancel(self):
        # Odoo's own checks first: Xero is changed only for a cancel Odoo accepts. A
        # refusal from Xero (paid there) raises and rolls Odoo's cancel back.
        res = super().button_cancel()
        self.filtered(lambda m: m.move_type in MOVE_TYPES)._xero_cancel_in_xero()
        return res

    # -- payments and status from Xero (the engine is xero.payment.sync) ---------------------
    xero_status_label = fields.Char(
        string="Xero Status", compute="_compute_xero_status_label", help="Xero's own status."
    )
    xero_attention = fields.Text(
        string="Xero: Needs Attention",
        copy=False,
        readonly=True,
        help="Something Xero did to this document that Odoo does not follow by itself "
        "(voided or deleted in Xero, overpayments, prepayments): a person decides.",
    )

    @api.depends("xero_status")
    def _compute_xero_status_label(self):
        for move in self:
            move.xero_status_label = payment_mapping.status_label(move.xero_status)

    def _xero_follow_status(self, records):
        """Keep Xero's status of these documents (``records``: their Xero records by
        Xero id), the same statuses written together. A document voided or deleted in
        Xero, or settled there with an overpayment or prepayment, is flagged for a
        person to decide."""
        changed = {}
        for doc in self:
            status = records[doc.xero_id].get("Status")
            if status and status != doc.xero_status:
                changed.setdefault(status, self.browse())
                changed[status] |= doc
        for status, docs in changed.items():
            docs._xero_write({"xero_status": status})
        for doc in self:
            record = records[doc.xero_id]
            status = record.get("Status")
            if not status:
                continue
            if status in payment_mapping.GONE_STATUSES:
                if doc.xero_state != "cancelled" and doc.state != "cancel":
                    doc._xero_write({"xero_state": "cancelled"})
                    doc._xero_flag_attention(
                        _(
                            "%(status)s in Xero: Odoo has not cancelled it. Cancel it in "
                            "Odoo, or duplicate it to send a new one to Xero.",
                            status=payment_mapping.status_label(status),
                        )
                    )
                continue
            for reason in doc._xero_attention_reasons(record):
                doc._xero_flag_attention(reason)

    def _xero_attention_reasons(self, record):
        """What Xero's ``record`` of this document shows that the payment sync does not
        mirror: overpayments and prepayments allocated to it there."""
        reasons = []
        for kind, amount, currency_code, xero_id in payment_mapping.settlements(record):
            currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", currency_code or self.currency_id.name)], limit=1)
            )
            shown = (
                formatLang(self.env, float(amount), currency_obj=currency)
                if currency and amount is not None
                else f"{amount} {currency_code}"
            )
            if kind == "Overpayments":
                reason = _(
                    "Xero settled %(amount)s of it with an overpayment (%(id)s): record it "
                    "in Odoo by hand.",
                    amount=shown,
                    id=xero_id,
                )
            else:
                reason = _(
                    "Xero settled %(amount)s of it with a prepayment (%(id)s): record it in "
                    "Odoo by hand.",
                    amount=shown,
                    id=xero_id,
                )
            reasons.append(reason)
        return reasons

    def _xero_term_lines(self):
        """The receivable or payable lines a payment settles."""
        return self.line_ids.filtered(
            lambda line: line.account_type in ("asset_receivable", "liability_payable")
        )

    def _xero_flag_attention(self, reason):
        """Say on the document what needs a person (once per reason), with a to-do."""
        self.ensure_one()
        current = self.xero_attention or ""
        if reason in current.split("\n"):
            return
        # A bookkeeping field: not the invoice's own write (which resyncs its lines).
        models.BaseModel.write(self, {"xero_attention": "\n".join(filter(None, [current, reason]))})
        self.message_post(body=_("Xero: %s", reason))
        user = self.invoice_user_id or self.create_uid
        self.activity_schedule(
            "xero_connector.mail_activity_xero_attention",
            note=reason,
            user_id=(user if user and not user.share else self.env.user).id,
        )

    def action_xero_attention_done(self):
        self.write({"xero_attention": False})
        self.activity_feedback(["xero_connector.mail_activity_xero_attention"])
