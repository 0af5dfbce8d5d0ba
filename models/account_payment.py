import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..xero import (
    XeroAuthError,
    XeroError,
    XeroNotFound,
    XeroRateLimited,
    XeroResponseError,
    XeroTransientError,
)
from ..xero.mapping import payment as pay_map

_logger = logging.getLogger(__name__)

BATCH_SIZE = 50
MAX_BATCHES = 10  # per organisation in one cron run
LEASE = timedelta(minutes=10)  # a claimed batch is not taken by another worker meanwhile
LEASE_PARAM = "xero_connector.export_lease_seconds"  # overrides LEASE (chaos runs)
RETRY_DELAY = timedelta(minutes=2)  # after Xero or the network failed
PUSH_CRON = "xero_connector.ir_cron_xero_payment_push"
PUSH_STATES = [
    ("not_sent", "Not sent"),
    ("queued", "To send"),
    ("sent", "In Xero"),
    ("error", "Error"),
    ("to_delete", "To delete in Xero"),
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

    # -- Odoo -> Xero: the outbox ---------------------------------------------------------
    # queued / to_delete -> claimed (row lock, lease, commit) -> a key per payment and send
    # generation, kept as the "maybe sent" marker (committed before the call) -> one call
    # -> a definite answer clears the marker; an unknown outcome keeps it, and the next
    # claim looks the payment up in Xero before creating it again.
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
            self._xero_trigger_push()

    def _xero_queue_delete(self):
        """Reset to draft or cancelled in Odoo: what Xero holds (or may hold, after a send
        with no known outcome) is deleted there by the cron."""
        if self.env.context.get("xero_no_push"):
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
            self._xero_trigger_push()

    def action_xero_send(self):
        """Send again a payment that stopped in error (form button). A send with an
        unknown outcome keeps its key: it is looked up in Xero before anything is created."""
        for payment in self.filtered(lambda p: p.xero_push_state in ("error", "not_sent")):
            if payment.state in ("draft", "canceled"):
                payment._xero_queue_delete()
            elif payment.xero_payment_id and payment.xero_push_state == "error":
                payment.write({"xero_push_state": "to_delete", "xero_push_error": False})
                self._xero_trigger_push()
            else:
                payment._xero_queue_push()

    @api.model
    def _xero_trigger_push(self, at=None):
        cron = self.env.ref(PUSH_CRON, raise_if_not_found=False)
        if cron:
            cron._trigger(at=at)

    @api.model
    def _cron_xero_push_payments(self, batch_size=BATCH_SIZE, max_batches=MAX_BATCHES):
        more = False
        for connection in self.env["xero.connection"].search([("state", "=", "connected")]):
            if connection.company_id.xero_connection_id != connection:
                continue
            for _i in range(max_batches):
                payments, lookups = self._xero_claim(connection, batch_size)
                if not payments:
                    break
                # As for documents: the claim, keys and markers are durable before Xero
                # is called, so that a worker killed during the call leaves a trace.
                self.env.cr.commit()
                stop = payments._xero_push(connection, lookups)
                self.env.cr.commit()  # Xero's answer is durable at once
                if stop:
                    break
            else:
                more = True  # every batch was taken: the rest goes in the next run
        if more:
            self._xero_trigger_push()

    @api.model
    def _xero_claim(self, connection, limit):
        """Take up to ``limit`` payments to send or delete under a row lock (other workers
        skip them), lease them and give each one to send a key. Returns (payments,
        lookups): ``lookups`` are those whose previous send has no known outcome."""
        self.env.flush_all()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """SELECT id FROM account_payment
                    WHERE xero_push_state IN ('queued', 'to_delete') AND company_id = %s
                      AND (xero_push_retry_at IS NULL OR xero_push_retry_at <= %s)
                    ORDER BY id LIMIT %s
                    FOR UPDATE SKIP LOCKED""",
                connection.company_id.id,
                now,
                limit,
            )
        )
        payments = self.browse([row[0] for row in self.env.cr.fetchall()])
        lookups = payments.filtered(lambda p: p.xero_push_key and not p.xero_payment_id)
        params = self.env["ir.config_parameter"].sudo()
        uuid = params.get_param("database.uuid")
        lease = timedelta(seconds=int(params.get_param(LEASE_PARAM) or LEASE.total_seconds()))
        for payment in payments:
            vals = {"xero_push_retry_at": now + lease}
            sending = payment.xero_push_state == "queued" and payment.state not in (
                "draft",
                "canceled",
            )
            if sending and not payment.xero_push_key and not payment.xero_payment_id:
                count = payment.xero_push_count + 1
                vals.update(
                    xero_push_count=count,
                    xero_push_key=f"{uuid}/account.payment/{payment.id}/{count}",
                )
            payment.write(vals)
        return payments, lookups

    def _xero_push(self, connection, lookups):
        """Send or delete the claimed payments. Returns True when the organisation must
        not be called again in this run (rate limit, lost access, Xero down)."""
        try:
            return self._xero_push_claimed(connection, lookups)
        except XeroRateLimited as exc:
            retry_at = exc.retry_at.replace(tzinfo=None)
            self._xero_release(retry_at, lookups, exc.user_message())
            self._xero_trigger_push(at=retry_at)
            return True
        except XeroAuthError as exc:
            self._xero_release(False, lookups, exc.user_message())
            self._xero_lost_access(connection, exc)
            return True
        except (XeroTransientError, XeroResponseError) as exc:
            retry_at = fields.Datetime.now() + RETRY_DELAY
            self._xero_release(retry_at, lookups, exc.user_message())
            self._xero_trigger_push(at=retry_at)
            return True

    def _xero_release(self, retry_at, unknown, message=None):
        """Leave the payments in the queue; those whose last send may have reached Xero
        keep their marker (and key), so that the next attempt looks them up first."""
        for payment in self:
            if payment.xero_push_state not in ("queued", "to_delete"):
                continue  # done before the failure
            vals = {"xero_push_retry_at": retry_at, "xero_push_error": message or False}
            if payment not in unknown and payment.xero_push_state == "queued":
                vals["xero_push_key"] = False
            payment.write(vals)

    def _xero_push_claimed(self, connection, lookups):
        client = connection._client("batch")
        deletes = self.filtered(
            lambda p: p.xero_push_state == "to_delete" or p.state in ("draft", "canceled")
        )
        sends, payloads = self.browse(), {}
        for payment in self - deletes:
            payload, problem = payment._xero_push_payload(connection)
            if problem:
                payment._xero_refuse(problem)
            elif payload is None:
                # On no document in Xero (any more): nothing to send. The marker stays.
                payment.write({"xero_push_state": "not_sent", "xero_push_retry_at": False})
            else:
                sends |= payment
                payloads[payment] = payload
        # A previous send of these may have created them: find them before sending again.
        found = self._xero_find_sent(client, (sends | deletes) & lookups, payloads)
        for payment, record in found.items():
            payment._xero_adopt(record)
        stop = (deletes - sends)._xero_delete_claimed(connection, client)
        todo = sends.filtered(lambda p: not p.xero_payment_id)
        if stop or not todo:
            return stop
        records = [(p.xero_push_key, payloads[p], (p._name, p.id)) for p in todo]
        results = client.send_batch("payments", records, create_only=True)
        outcomes = [p._xero_push_result(connection, r) for p, r in zip(todo, results, strict=True)]
        if any(o == "reconnect" for o in outcomes):
            auth = next(r.exception for r in results if isinstance(r.exception, XeroAuthError))
            self._xero_lost_access(connection, auth)
        return any(outcomes)

    @api.model
    def _xero_lost_access(self, connection, exc):
        """Xero no longer accepts the connection (token expired for good, revoked, access
        removed): the payments wait in the queue, the admins are asked to reconnect."""
        connection.invalidate_recordset(["state"])  # the token store may have said it
        if connection.state == "connected":
            connection._mark_reconnect_needed(exc.user_message())

    def _xero_find_sent(self, client, payments, payloads):
        """{payment: Xero payment} for the payments Xero already holds from a send whose
        answer was lost. Reads every payment of their documents (no time window): our
        reference, document, amount and date identify it."""
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

    def _xero_adopt(self, record):
        """Xero holds this payment from a send whose answer was lost: keep its id."""
        self.ensure_one()
        vals = {"xero_payment_id": record.get("PaymentID")}
        if self.xero_push_state != "to_delete":
            vals.update(
                xero_push_state="sent",
                xero_push_error=False,
                xero_push_key=False,
                xero_push_retry_at=False,
            )
        self.write(vals)
        self.message_post(body=_("Found in Xero (payment %s).", record.get("PaymentID")))

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
            for payment, record in self._xero_find_sent(client, lookups, {}).items():
                payment._xero_adopt(record)
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
                        payment.write(
                            {
                                "xero_push_state": "error",
                                "xero_push_error": message,
                                "xero_push_retry_at": False,
                            }
                        )
                        payment.message_post(body=message)
                        continue
                payment.message_post(body=_("Deleted in Xero."))
            # Nothing (left) in Xero: the marker can go.
            vals = {"xero_push_key": False, "xero_push_retry_at": False, "xero_push_error": False}
            if payment.state in ("draft", "canceled"):
                vals["xero_push_state"] = "deleted" if payment.xero_payment_id else "not_sent"
            else:  # posted again meanwhile: a new Xero payment
                vals.update(xero_push_state="queued", xero_payment_id=False)
                self._xero_trigger_push()
            payment.write(vals)
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

    def _xero_refuse(self, problem):
        """Refused here, before any call: the marker stays (an earlier send may have
        reached Xero; Send to Xero looks it up first)."""
        self.write(
            {"xero_push_state": "error", "xero_push_error": problem, "xero_push_retry_at": False}
        )
        self.message_post(body=_("Not sent to Xero: %s", problem))

    def _xero_push_result(self, connection, result):
        """Write back one payment's outcome. Returns what stops this run: False, True,
        or 'reconnect' when Xero no longer accepts the connection."""
        exc = result.exception
        if result.ok and isinstance(result.xero_id, str):
            self.write(
                {
                    "xero_payment_id": result.xero_id,
                    "xero_push_state": "sent",
                    "xero_push_error": False,
                    "xero_push_key": False,
                    "xero_push_retry_at": False,
                }
            )
            self.message_post(body=_("Sent to Xero (payment %s).", result.xero_id))
            return False
        if exc is None and not result.ok:  # Xero refused this payment: nothing created
            message = "\n".join(result.errors)
            self.write(
                {
                    "xero_push_state": "error",
                    "xero_push_error": message,
                    "xero_push_key": False,
                    "xero_push_retry_at": False,
                }
            )
            self.message_post(body=_("Xero refused the payment: %s", message))
            return False
        message = exc.user_message() if exc is not None else _("Xero gave no payment id")
        if isinstance(exc, (XeroAuthError, XeroRateLimited)):
            # Not processed by Xero. The key stays: an earlier send may be unknown.
            retry_at = (
                exc.retry_at.replace(tzinfo=None) if isinstance(exc, XeroRateLimited) else False
            )
            self.write({"xero_push_retry_at": retry_at, "xero_push_error": message})
            if retry_at:
                self._xero_trigger_push(at=retry_at)
                return True
            return "reconnect"
        if isinstance(exc, XeroTransientError):
            # Xero may have created it: the marker stays, the next claim looks it up.
            retry_at = fields.Datetime.now() + RETRY_DELAY
            self.write({"xero_push_retry_at": retry_at, "xero_push_error": message})
            self._xero_trigger_push(at=retry_at)
            return True
        if isinstance(exc, XeroResponseError) or exc is None:
            # Unreadable answer: it may be in Xero. Stops in error with its marker:
            # Send to Xero looks it up there first.
            self.write(
                {
                    "xero_push_state": "error",
                    "xero_push_error": message,
                    "xero_push_retry_at": False,
                }
            )
            self.message_post(body=_("Not sent to Xero: %s", message))
            return True
        # A refusal of the whole request (nothing created).
        self.write(
            {
                "xero_push_state": "error",
                "xero_push_error": message,
                "xero_push_key": False,
                "xero_push_retry_at": False,
            }
        )
        self.message_post(body=_("Xero refused the payment: %s", message))
        return False
