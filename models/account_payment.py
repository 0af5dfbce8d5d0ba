import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..xero import (
    XeroAuthError,
    XeroError,
    XeroNotFound,
    XeroRateLimited,
    XeroResponseError,
    XeroTransientError,
)
from ..xero.mapping import payment as pay_map
from .xero_outbox import OUTBOX_STATES

_logger = logging.getLogger(__name__)

PUSH_CRON = "xero_connector.ir_cron_xero_payment_push"
PUSH_STATES = [
    *OUTBOX_STATES,
    ("to_delete", "To delete in Xero"),
    ("deleted", "Deleted in Xero"),
]


class _XeroNoPushFlag:
    """The value of the ``xero_no_push`` context key: the payment sync's own reset or
    cancel of a payment read from Xero, which must not be mirrored back to Xero.

    Only server code holding this object can set it: a context sent over RPC is JSON,
    never this object, so a user cannot keep a payment in Xero that Odoo reset or
    cancelled by adding ``xero_no_push`` to the context of a call."""

    __slots__ = ()

    def __repr__(self):
        return "<xero no push>"


XERO_NO_PUSH = _XeroNoPushFlag()


class AccountPayment(models.Model):
    """Payments both ways. A payment read from Xero carries its PaymentID and
    ``xero_origin = 'xero'``: it is never sent back. A payment registered in Odoo on a
    document Odoo sent to Xero is sent as a Xero payment (when the company allows it)
    and deleted there when cancelled in Odoo, through the outbox engine
    (xero_outbox.py): this file holds its hooks only."""

    _name = "account.payment"
    _inherit = ["account.payment", "xero.outbox.mixin"]

    # The outbox engine's names for the stored fields (xero_outbox.py).
    _xero_outbox_fields = {
        "state": "xero_push_state",
        "error": "xero_push_error",
        "key": "xero_push_key",
        "attempt_at": None,
        "retry_at": "xero_push_retry_at",
        "count": "xero_push_count",
        "xero_id": "xero_payment_id",
    }
    _xero_outbox_states = ("queued", "to_delete")
    _xero_outbox_cron = PUSH_CRON

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
        copy=False, readonly=True, help="Send generation: a new send uses a new key."
    )
    xero_push_key = fields.Char(
        copy=False,
        readonly=True,
        help="Key of the last send while its outcome is unknown: before sending again, "
        "the payment is looked up in Xero.",
    )
    xero_push_retry_at = fields.Datetime(copy=False, readonly=True)
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

    # -- Odoo -> Xero: queued / to_delete -> the outbox engine (xero_outbox.py) -----------
    def action_post(self):
        res = super().action_post()
        self._xero_queue_push()
        return res

    def action_draft(self):
        # Odoo's own checks (lock dates, reconciliation...) first: Xero is changed only
        # once Odoo accepted the change, by the cron after this transaction commits.
        res = super().action_draft()
        self._xero_queue_delete()
        return res

    def action_cancel(self):
        res = super().action_cancel()
        self._xero_queue_delete()
        return res

    def _xero_reference(self):
        """Our reference on the Xero payment: how a lost send is found there again."""
        self.ensure_one()
        return self.name or f"Odoo payment {self.id}"

    def _xero_push_enabled(self):
        self.ensure_one()
        company = self.company_id
        return bool(
            self.xero_origin != "xero" and company.xero_push_payments and company.xero_connection_id
        )

    def _xero_queue_push(self):
        """Queue posted payments for Xero. A payment whose Xero copy was deleted (reset to
        draft, then posted again) is created anew; one posted while the connection needs
        reconnecting waits in the queue until it is reconnected."""
        todo = self.browse()
        for payment in self:
            if not payment._xero_push_enabled() or payment.state in ("draft", "canceled"):
                continue
            if payment.xero_push_state in ("queued", "to_delete", "sent"):
                continue  # on its way, or in Xero already
            vals = {"xero_origin": "odoo", "xero_push_state": "queued", "xero_push_error": False}
            if payment.xero_payment_id:
                if payment.xero_push_state != "deleted":
                    continue  # a failed delete: a person decides (Send to Xero)
                vals["xero_payment_id"] = False  # the old copy is gone: a new one
            vals["xero_push_retry_at"] = False
            payment.write(vals)
            todo |= payment
        if todo:
            self._xero_outbox_trigger()

    def _xero_without_push(self):
        """These payments, for the payment sync's own reset or cancel of a payment read
        from Xero: nothing is sent back to Xero for it."""
        return self.with_context(xero_no_push=XERO_NO_PUSH)

    def _xero_queue_delete(self):
        """Reset to draft or cancelled in Odoo: what Xero holds (or may hold, after a send
        with no known outcome) is deleted there by the cron."""
        if self.env.context.get("xero_no_push") is XERO_NO_PUSH:
            return
        todo = self.browse()
        for payment in self.filtered(lambda p: p.xero_origin == "odoo"):
            if payment.xero_payment_id and payment.xero_push_state in ("sent", "error"):
                todo |= payment
            elif payment.xero_push_key and payment.xero_push_state in ("queued", "error"):
                todo |= payment  # maybe in Xero: looked up, then deleted
            elif payment.xero_push_state in ("queued", "error"):
                payment.write({"xero_push_state": "not_sent", "xero_push_error": False})
        if todo:
            todo.write(
                {
                    "xero_push_state": "to_delete",
                    "xero_push_error": False,
                    "xero_push_retry_at": False,
                }
            )
            self._xero_outbox_trigger()

    def action_xero_send(self):
        """Send again a payment that stopped in error (form button). A send with an
        unknown outcome keeps its key: it is looked up in Xero before anything is created."""
        for payment in self.filtered(lambda p: p.xero_push_state in ("error", "not_sent")):
            if payment.state in ("draft", "canceled"):
                payment._xero_queue_delete()
            elif payment.xero_payment_id and payment.xero_push_state == "error":
                payment.write({"xero_push_state": "to_delete", "xero_push_error": False})
                self._xero_outbox_trigger()
            else:
                payment._xero_queue_push()

    # -- the cron (xero_outbox.py) and its hooks ------------------------------------------
    @api.model
    def _xero_outbox_connections(self):
        """Organisations that granted the payments permission. Without it Xero answers
        401, which would put the connection in "reconnect needed" and stop every export:
        the payments wait in the queue (the connection names the missing permission)."""
        return (
            super()._xero_outbox_connections().filtered(lambda c: c._xero_has_feature("payments"))
        )

    @api.model
    def _cron_xero_push_payments(self, **kwargs):
        return self._xero_outbox_run(**kwargs)

    def _xero_outbox_needs_key(self):
        """A payment about to be created in Xero gets a key; a delete needs none."""
        return (
            self.xero_push_state == "queued"
            and self.state not in ("draft", "canceled")
            and not self.xero_payment_id
        )

    def _xero_outbox_push(self, connection, lane, lookups):
        """Send or delete the claimed payments: those whose last send has no known
        outcome are looked up in Xero first, then the new ones are created in one call."""
        client = connection._client("batch")
        deletes = self.filtered(
            lambda p: p.xero_push_state == "to_delete" or p.state in ("draft", "canceled")
        )
        payloads = {}
        for payment in self - deletes:
            payload, problem = payment._xero_push_payload(connection)
            if problem:
                payment._xero_outbox_refuse([problem], connection)
            elif payload is None:
                # On no document in Xero (yet): nothing to send; queued again when the
                # document reaches Xero. The marker stays.
                payment.write({"xero_push_state": "not_sent", "xero_push_retry_at": False})
            else:
                payloads[payment] = payload
        sends = self.browse([p.id for p in payloads])
        # A previous send of these may have created them: find them before sending again.
        lost = {p: payloads.get(p) for p in (sends | deletes) & lookups}
        for payment, record in self._xero_outbox_find(client, lost).items():
            payment._xero_outbox_adopt(connection, record)
        stop = (deletes - sends)._xero_delete_claimed(connection, client)
        todo = sends.filtered(lambda p: not p.xero_payment_id)
        if stop or not todo:
            return stop
        records = [(p.xero_push_key, payloads[p], (p._name, p.id)) for p in todo]
        results = client.send_batch("payments", records, create_only=True)

        def accepted(payment, result):
            payment._xero_outbox_settle({"xero_payment_id": result.xero_id})
            payment.message_post(body=_("Sent to Xero (payment %s).", result.xero_id))

        return todo._xero_outbox_answer(connection, results, accepted)

    def _xero_outbox_find(self, client, payloads):
        """{payment: Xero payment} for the payments of ``payloads`` ({payment: payload
        or None}) that Xero already holds from a send whose answer was lost. Reads every
        payment of their documents (no time window): our reference, document, amount
        and date identify it."""
        payments = self.browse([p.id for p in payloads])
        if not payments:
            return {}
        by_kind = {}
        for payment in payments:
            doc = payment.xero_document_id
            if doc.xero_id:
                by_kind.setdefault(doc._xero_kind(), set()).add(doc.xero_id)
        records = []
        for kind, ids in by_kind.items():
            for where in pay_map.where_for_documents(kind, ids):
                for batch in client.iter_pages("get_payments", where=where):
                    records.extend(batch)
        ids = [r.get("PaymentID") for r in records if r.get("PaymentID")]
        taken = set()
        if ids:
            taken = set(
                self.search(
                    [("xero_payment_id", "in", ids), ("company_id", "in", payments.company_id.ids)]
                ).mapped("xero_payment_id")
            )
        found = {}
        for payment in payments:
            payload = payloads.get(payment)
            record = pay_map.find_payment(
                records,
                payment.xero_document_id._xero_kind(),
                payment.xero_document_id.xero_id,
                payment._xero_reference(),
                amount=payload and payload.get("Amount"),
                day=payload and payload.get("Date"),
                exclude_ids=taken,
            )
            if record:
                found[payment] = record
                taken.add(record.get("PaymentID"))
        return found

    def _xero_outbox_apply(self, connection, record, **kwargs):
        """Xero holds this payment from a send whose answer was lost: keep its id. A
        payment to delete stays to delete (now with the id to delete)."""
        self.ensure_one()
        state = None if self.xero_push_state == "to_delete" else "sent"
        self._xero_outbox_settle({"xero_payment_id": record.get("PaymentID")}, state=state)
        self.message_post(body=_("Found in Xero (payment %s).", record.get("PaymentID")))

    def _xero_adopt(self, record):
        """The payment sync found this payment's lost send in Xero (by our reference)."""
        self._xero_outbox_adopt(self.company_id.xero_connection_id, record)

    # -- deleting in Xero -------------------------------------------------------------
    def unlink(self):
        """A draft or cancelled payment whose Xero copy is still to delete: delete it in
        Xero now, as the cron would have (Odoo already accepted the reset or cancel)."""
        pending = self.filtered(lambda p: p.xero_push_state == "to_delete")
        for company in pending.company_id:
            pending.filtered(lambda p, c=company: p.company_id == c)._xero_delete_now()
        return super().unlink()

    def _xero_delete_now(self):
        connection = self.company_id.xero_connection_id
        client = connection._client()
        try:
            lookups = self.filtered(lambda p: p.xero_push_key and not p.xero_payment_id)
            found = self._xero_outbox_find(client, dict.fromkeys(lookups))
            for payment, record in found.items():
                payment._xero_outbox_adopt(connection, record)
            self._xero_delete_claimed(connection, client)
        except XeroError as exc:
            raise UserError(
                _(
                    "Xero could not be reached to delete these payments there first: %s",
                    exc.user_message(),
                )
            ) from exc
        failed = self.filtered(lambda p: p.xero_push_state == "error")
        if failed:
            raise UserError("\n".join(failed.mapped("xero_push_error")))

    def _xero_delete_claimed(self, connection, client):
        """Delete in Xero the payments reset to draft or cancelled in Odoo; a payment
        posted again meanwhile is then created anew."""
        for payment in self:
            if payment.xero_payment_id:
                try:
                    client.concerning([(payment._name, payment.id)]).delete_payment(
                        payment.xero_payment_id
                    )
                except XeroNotFound:
                    _logger.info("Xero payment %s was already gone", payment.xero_payment_id)
                except (XeroRateLimited, XeroAuthError, XeroTransientError, XeroResponseError):
                    raise
                except XeroError as exc:
                    if "already been deleted" not in exc.user_message():
                        message = _(
                            "Xero could not delete payment %(payment)s: %(msg)s",
                            payment=payment.name,
                            msg=exc.user_message(),
                        )
                        payment._xero_outbox_fail(message, connection)
                        continue
                payment.message_post(body=_("Deleted in Xero."))
            # Nothing (left) in Xero: a definite answer, the marker can go.
            if payment.state in ("draft", "canceled"):
                state = "deleted" if payment.xero_payment_id else "not_sent"
                payment._xero_outbox_settle(state=state)
            else:  # posted again meanwhile: a new Xero payment
                payment._xero_outbox_settle({"xero_payment_id": False}, state="queued")
                self._xero_outbox_trigger()
        return False

    def _xero_documents(self):
        """{Xero document: (amount applied to it in its currency, the same in the
        company's currency as this payment booked it)}."""
        self.ensure_one()
        applied = {}
        for line in self.move_id.line_ids:
            partials = line.matched_debit_ids | line.matched_credit_ids
            for partial in partials:
                ours_debit = partial.debit_move_id == line
                other = partial.credit_move_id if ours_debit else partial.debit_move_id
                doc = other.move_id
                if not doc.xero_id or doc.move_type == "entry":
                    continue
                amount = (
                    partial.credit_amount_currency if ours_debit else partial.debit_amount_currency
                )
                # Our side of the partial, in this payment line's currency, valued at the
                # rate this payment was booked at.
                ours = (
                    partial.debit_amount_currency if ours_debit else partial.credit_amount_currency
                )
                if line.currency_id == line.company_currency_id:
                    base = ours
                elif line.amount_currency:
                    base = ours * abs(line.balance) / abs(line.amount_currency)
                else:
                    base = partial.amount
                before = applied.get(doc, (0.0, 0.0))
                applied[doc] = (before[0] + amount, before[1] + base)
        return applied

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
        doc, (amount, base) = next(iter(docs.items()))
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
            base = company_currency.round(abs(base))
            if not company_currency.is_zero(base):
                # Document currency per unit of the company's, as Odoo booked this payment.
                rate = pay_map.rate_for(abs(amount), base)
        payload = pay_map.payment_payload(
            doc._xero_kind(),
            doc.xero_id,
            account_id=bank.xero_id,
            day=self.date,
            amount=abs(amount),
            reference=self._xero_reference(),
            rate=rate,
        )
        return payload, None
