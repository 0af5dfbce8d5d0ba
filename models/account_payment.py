import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..xero import XeroAuthError, XeroError, XeroNotFound
from ..xero.batch import derive_key
from ..xero.mapping import payment as pay_map

_logger = logging.getLogger(__name__)

BATCH_SIZE = 50
PUSH_CRON = "xero_connector.ir_cron_xero_payment_push"
PUSH_STATES = [
    ("not_sent", "Not sent"),
    ("queued", "To send"),
    ("sent", "In Xero"),
    ("error", "Error"),
    ("deleted", "Deleted in Xero"),
]


class AccountPayment(models.Model):
    """Payments both ways. A payment read from Xero carries its PaymentID and
    ``xero_origin = 'xero'``: it is never sent back. A payment registered in Odoo on a
    document Odoo sent to Xero is sent as a Xero payment (when the company allows it)
    and deleted there when cancelled in Odoo."""

    _inherit = "account.payment"

    xero_payment_id = fields.Char(string="Xero Payment ID", copy=False, readonly=True, index=True)
    xero_origin = fields.Selection(
        [("odoo", "Odoo"), ("xero", "Xero")],
        string="Made in",
        copy=False,
        readonly=True,
        help="Xero: recorded in Xero and read from it; never sent back.",
    )
    xero_push_state = fields.Selection(
        PUSH_STATES, string="Xero", default="not_sent", copy=False, readonly=True, index=True
    )
    xero_push_error = fields.Text(string="Xero Error", copy=False, readonly=True)
    xero_push_count = fields.Integer(
        copy=False, readonly=True, help="Sends refused by Xero: a new send uses a new key."
    )
    xero_document_id = fields.Many2one(
        "account.move", string="Xero Document", copy=False, readonly=True, index="btree_not_null"
    )

    _sql_constraints = [
        (
            "xero_payment_uniq",
            "unique(company_id, xero_payment_id)",
            "This Xero payment is already recorded in Odoo.",
        )
    ]

    # -- Xero -> Odoo: see xero.payment.sync ---------------------------------------------

    # -- Odoo -> Xero ---------------------------------------------------------------------
    def action_post(self):
        res = super().action_post()
        self._xero_queue_push()
        return res

    def _xero_queue_push(self):
        todo = self.filtered(
            lambda p: (
                p.xero_origin != "xero"
                and not p.xero_payment_id
                and p.company_id.xero_push_payments
                and p.company_id.xero_connection_id.state == "connected"
            )
        )
        if todo:
            todo.write(
                {"xero_origin": "odoo", "xero_push_state": "queued", "xero_push_error": False}
            )
            cron = self.env.ref(PUSH_CRON, raise_if_not_found=False)
            if cron:
                cron._trigger()

    def action_draft(self):
        self._xero_delete_in_xero()
        return super().action_draft()

    def action_cancel(self):
        self._xero_delete_in_xero()
        return super().action_cancel()

    def action_xero_send(self):
        """Retry sending a payment that failed (form button)."""
        todo = self.filtered(lambda p: p.xero_push_state in ("error", "not_sent"))
        for payment in todo.filtered(lambda p: p.xero_push_state == "error"):
            payment.xero_push_count += 1
        todo._xero_queue_push()

    @api.model
    def _cron_xero_push_payments(self, batch_size=BATCH_SIZE):
        payments = self.search(
            [("xero_push_state", "=", "queued"), ("state", "not in", ("draft", "canceled"))],
            limit=batch_size,
            order="id",
        )
        by_company = {}
        for payment in payments:
            by_company.setdefault(payment.company_id, self.browse())
            by_company[payment.company_id] |= payment
        for company, group in by_company.items():
            group._xero_push(company.xero_connection_id)
        if len(payments) == batch_size:
            self.env.ref(PUSH_CRON)._trigger()

    def _xero_documents(self):
        """{Xero document: amount applied to it in its currency} for this payment."""
        self.ensure_one()
        applied = {}
        for line in self.move_id.line_ids:
            partials = line.matched_debit_ids | line.matched_credit_ids
            for partial in partials:
                other = (
                    partial.debit_move_id
                    if partial.credit_move_id == line
                    else (partial.credit_move_id)
                )
                doc = other.move_id
                if not doc.xero_id or doc.move_type == "entry":
                    continue
                amount = (
                    partial.debit_amount_currency
                    if partial.debit_move_id == other
                    else partial.credit_amount_currency
                )
                applied[doc] = applied.get(doc, 0.0) + amount
        return applied

    def _xero_push(self, connection):
        """Send these payments to Xero, one Xero payment per Odoo payment."""
        if not connection or connection.state != "connected":
            return
        payments, records = self.browse(), []
        for payment in self:
            payload, problem = payment._xero_push_payload(connection)
            if problem:
                payment.write({"xero_push_state": "error", "xero_push_error": problem})
                payment.message_post(body=_("Not sent to Xero: %s", problem))
                continue
            if payload is None:
                payment.write({"xero_push_state": "not_sent"})
                continue
            payments |= payment
            key = derive_key("payment", connection.tenant_id, payment._xero_push_key())
            records.append((key, payload))
        if not records:
            return
        client = connection._client("batch")
        client.logger_hook = connection._log_hook()
        try:
            results = client.send_batch("payments", records, create_only=True)
        except XeroAuthError as exc:
            connection._mark_reconnect_needed(exc.user_message())
            return
        for payment, result in zip(payments, results, strict=True):
            payment._xero_push_result(result)

    def _xero_push_key(self):
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        # Stable while the outcome of a send is unknown: Xero replays its answer.
        return f"{uuid}/account.payment/{self.id}/{self.xero_push_count}"

    def _xero_push_payload(self, connection):
        """(payload, None) to send, (None, problem) to refuse, (None, None) when the
        payment is not on a document Odoo sent to Xero."""
        self.ensure_one()
        docs = {
            d: a for d, a in self._xero_documents().items() if d.xero_connection_id == connection
        }
        if not docs:
            return None, None
        if len(docs) > 1:
            return None, _(
                "This payment settles several documents that are in Xero (%s); Xero takes "
                "one document per payment: register one payment per document.",
                ", ".join(d.name for d in docs),
            )
        doc, amount = next(iter(docs.items()))
        self.xero_document_id = doc
        if doc.xero_status not in ("AUTHORISED", "PAID"):
            return None, _(
                "%(doc)s is '%(status)s' in Xero: Xero takes payments on approved "
                "documents only. Approve it in Xero, then send the payment again.",
                doc=doc.name,
                status=pay_map.status_label(doc.xero_status),
            )
        bank = self.journal_id.xero_bank_account_id
        if not bank:
            return None, _(
                "Journal %s has no Xero bank account: choose one on the journal "
                "(Settings > Xero > Bank accounts), then send the payment again.",
                self.journal_id.display_name,
            )
        rate = None
        company_currency = self.company_id.currency_id
        if doc.currency_id != company_currency:
            liquidity, _counterpart, _writeoff = self._seek_for_lines()
            balance = abs(sum(liquidity.mapped("balance")))
            if balance:
                rate = abs(sum(liquidity.mapped("amount_currency"))) / balance
        payload = pay_map.payment_payload(
            doc._xero_kind(),
            doc.xero_id,
            account_id=bank.xero_id,
            day=self.date,
            amount=abs(amount),
            reference=self.name,
            rate=rate,
        )
        return payload, None

    def _xero_push_result(self, result):
        if result.ok:
            self.write(
                {
                    "xero_payment_id": result.xero_id,
                    "xero_push_state": "sent",
                    "xero_push_error": False,
                }
            )
            self.message_post(body=_("Sent to Xero (payment %s).", result.xero_id))
            return
        if result.exception is not None and result.exception.retryable:
            # Kept queued under the same key: a lost answer is adopted, not duplicated.
            retry_at = getattr(result.exception, "retry_at", None)
            self.env.ref(PUSH_CRON)._trigger(at=retry_at.replace(tzinfo=None) if retry_at else None)
            self.xero_push_error = "\n".join(result.errors)
            return
        message = "\n".join(result.errors)
        self.write({"xero_push_state": "error", "xero_push_error": message})
        self.message_post(body=_("Xero refused the payment: %s", message))

    def _xero_delete_in_xero(self):
        """Cancelling (or resetting) a payment sent to Xero deletes the Xero payment."""
        if self.env.context.get("xero_no_push"):
            return
        for payment in self.filtered(
            lambda p: p.xero_origin == "odoo" and p.xero_payment_id and p.xero_push_state == "sent"
        ):
            connection = payment.company_id.xero_connection_id
            client = connection._client()
            client.logger_hook = connection._log_hook(record=payment)
            try:
                client.delete_payment(payment.xero_payment_id)
            except XeroNotFound:
                _logger.info("Xero payment %s was already gone", payment.xero_payment_id)
            except XeroError as exc:
                if "already been deleted" not in exc.user_message():
                    raise UserError(
                        _(
                            "Xero could not delete payment %(payment)s: %(msg)s",
                            payment=payment.name,
                            msg=exc.user_message(),
                        )
                    ) from exc
            payment.write({"xero_push_state": "deleted"})
            payment.message_post(body=_("Deleted in Xero."))
        # Not sent yet: nothing to undo in Xero.
        self.filtered(lambda p: p.xero_push_state == "queued").write(
            {"xero_push_state": "not_sent"}
        )
