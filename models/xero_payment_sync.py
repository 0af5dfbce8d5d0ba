import logging
import time
from itertools import islice

from markupsafe import escape

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date, formatLang

from ..xero import XeroAuthError, XeroError, XeroRateLimited
from ..xero.mapping import payment as pay_map

_logger = logging.getLogger(__name__)

# Pages of pay_map.PAGE_SIZE per collection and run, and seconds after which a run stops
# at the end of a page; the cron is triggered again for more.
MAX_PAGES = 20
RUN_SECONDS = 60
CRON_XMLID = "xero_connector.ir_cron_xero_payment_sync"
# What is read since its cursor (xero.sync.state object type): the client's paged read.
READS = {
    "payments": ("get_payments", {}),
    # Deleted documents are left out unless includeArchived=true.
    "invoices": ("get_invoices", {"include_archived": True}),
    "credit_notes": ("get_credit_notes", {"include_archived": True}),
}
PAGE_QUERY = [("page", "1"), ("pageSize", str(pay_map.PAGE_SIZE)), ("order", pay_map.ORDER)]


class XeroPaymentSync(models.AbstractModel):
    """Xero -> Odoo: payments made in Xero on the documents Odoo sent there, and Xero's
    status of those documents. Run by a cron (changes since the last run, through
    If-Modified-Since and pages of 1,000 in Xero's UpdatedDateUTC order; the cursors are
    kept in xero.sync.state) and by webhook events (the documents named).

    Every Xero payment is applied once, keyed by its PaymentID: running again, or a
    replayed event, changes nothing. Payments Odoo sent to Xero are recognised by that
    id too, so they never come back as new ones.

    A page is applied together: its documents, known payments, journals and currencies
    are read once, its new payments created and posted in one go and reconciled in one
    pass. When Odoo refuses that batch, the page is applied again payment by payment so
    that only the refused payment is left out (and said on its document)."""

    _name = "xero.payment.sync"
    _description = "Xero payments and statuses sync"

    # -- the cron -------------------------------------------------------------------------
    @api.model
    def _cron_xero_sync(self):
        connections = self.env["xero.connection"].search([("state", "=", "connected")])
        more = False
        for connection in connections:
            more |= self._xero_sync_connection(connection)
        if more:
            self.env.ref(CRON_XMLID)._trigger()

    @api.model
    def _xero_sync_connection(self, connection):
        """Pull changed payments (when Xero granted the payments scope), then changed
        documents. Returns True when pages were left for the next run."""
        try:
            client = connection._client("batch")
            more = False
            if connection._xero_has_feature("payments"):
                more = self._xero_pull(connection, client, "payments", self._xero_apply_payments)
            for kind in ("invoices", "credit_notes"):
                more |= self._xero_pull(connection, client, kind, self._xero_apply_documents)
            return more
        except XeroRateLimited as exc:
            self.env.ref(CRON_XMLID)._trigger(at=exc.retry_at.replace(tzinfo=None))
        except XeroAuthError as exc:
            connection._mark_reconnect_needed(exc.user_message())
        except XeroError as exc:
            _logger.info("Xero payment sync of %s postponed: %s", connection.name, exc)
        return False

    # -- changes since the cursor (Xero's own clock: the newest UpdatedDateUTC seen) ----------
    @api.model
    def _xero_pull(self, connection, client, what, apply):
        """Read the pages of ``what`` changed since its cursor, ``apply(connection, kind,
        page)`` each, move the cursor. Returns True when pages remain for the next run:
        after MAX_PAGES, or once the run took RUN_SECONDS (a cron worker's time is
        limited) and the cursor moved."""
        states = self.env["xero.sync.state"]
        since = states._cursor(connection, what)
        cursor = since
        started = time.monotonic()
        method, extra = READS[what]
        pages = client.iter_pages(
            method,
            if_modified_since=since,
            page_size=pay_map.PAGE_SIZE,
            order=pay_map.ORDER,
            **extra,
        )
        for records in islice(pages, MAX_PAGES):
            apply(connection, what, records)
            cursor = pay_map.next_cursor(cursor, records)
            has_more = records.has_more
            del records
            self._xero_page_done()
            if not has_more:
                states._advance(connection, what, cursor)
                return False
            late = time.monotonic() - started > RUN_SECONDS
            if late and cursor and (since is None or cursor > since):
                break
        # Read in UpdatedDateUTC order: the next run starts after what was read.
        states._advance(connection, what, cursor)
        return True

    @api.model
    def _xero_page_done(self):
        """Write a page's changes and forget its records: memory stays flat however
        many pages a run reads."""
        self.env.flush_all()
        self.env.invalidate_all()

    # -- payments -------------------------------------------------------------------------
    @api.model
    def _xero_apply_payments(self, connection, _kind, records):
        """Apply Xero payments (a page) to the documents of this organisation Odoo knows.
        Returns the Odoo payments recorded, adopted or already known."""
        Payment = self.env["account.payment"]
        targets = {}
        for record in records:
            _doc_kind, doc_id = pay_map.target(record)
            if doc_id and record.get("PaymentID"):
                targets.setdefault(doc_id, []).append(record)
        if not targets:
            return Payment
        docs = self.env["account.move"].search(
            [("xero_id", "in", list(targets)), ("xero_connection_id", "=", connection.id)]
        )
        if not docs:
            return Payment
        payment_ids = [r["PaymentID"] for doc in docs for r in targets[doc.xero_id]]
        known = {
            (p.company_id.id, p.xero_payment_id): p
            for p in Payment.search(
                [
                    ("xero_payment_id", "in", payment_ids),
                    ("company_id", "in", docs.company_id.ids),
                ]
            )
        }
        pending = {}
        for payment in Payment.search(
            [
                ("xero_document_id", "in", docs.ids),
                ("xero_origin", "=", "odoo"),
                ("xero_payment_id", "=", False),
                ("xero_push_key", "!=", False),
            ],
            order="id",
        ):
            pending.setdefault(payment.xero_document_id, []).append(payment)
        done, todo, seen = Payment, [], set()
        for doc in docs:
            for record in targets[doc.xero_id]:
                values = pay_map.payment_values(record)
                key = (doc.company_id.id, values["xero_id"])
                existing = known.get(key)
                if values["deleted"]:
                    if existing:
                        self._xero_guarded(doc, values, self._xero_payment_deleted, existing, doc)
                    continue
                if existing:
                    done |= existing
                    continue
                if key in seen:  # the same payment twice in a page is recorded once
                    continue
                if doc.state != "posted":
                    doc._xero_flag_attention(
                        _(
                            "Xero recorded a payment of %(amount)s on it (%(date)s) but it is "
                            "not posted in Odoo: record the payment by hand.",
                            amount=self._xero_amount(values["amount"], values["currency"], doc),
                            date=format_date(self.env, values["date"]),
                        ),
                    )
                    continue
                adopted = self._xero_adopt_pending_push(pending.get(doc, []), values)
                if adopted:
                    known[key] = adopted
                    done |= adopted
                    continue
                seen.add(key)
                todo.append((doc, values))
        return done | self._xero_record_payments(todo)

    @api.model
    def _xero_amount(self, amount, currency_code, doc):
        """``amount`` of Xero currency ``currency_code`` (else the document's) as Odoo
        shows money: "$ 1,234.50"."""
        currency = doc.currency_id
        if currency_code and currency_code != currency.name:
            found = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", currency_code)], limit=1)
            )
            if not found:
                return f"{amount} {currency_code}"
            currency = found
        return formatLang(self.env, float(amount), currency_obj=currency)

    @api.model
    def _xero_guarded(self, doc, values, func, *args):
        """``func(*args)`` in a savepoint: what Odoo refuses is said on ``doc``."""
        try:
            with self.env.cr.savepoint():
                return func(*args)
        except (UserError, ValidationError) as exc:
            doc._xero_flag_attention(self._xero_refusal(values, exc))
            return None

    @api.model
    def _xero_refusal(self, values, exc):
        return _(
            "Xero payment %(payment)s could not be recorded in Odoo: %(error)s",
            payment=values["xero_id"],
            error=exc.args[0] if exc.args else exc,
        )

    @api.model
    def _xero_adopt_pending_push(self, candidates, values):
        """A payment Odoo sent whose answer was lost: Xero holds it, Odoo does not know
        its id yet. Adopt it (our reference identifies it) instead of recording the same
        money twice."""
        for payment in candidates:
            if payment._xero_reference() != values["reference"]:
                continue
            payment._xero_adopt({"PaymentID": values["xero_id"]})
            candidates.remove(payment)
            return payment
        return None

    @api.model
    def _xero_record_payments(self, todo):
        """Create, post and reconcile the Odoo payments of ``todo`` [(doc, values)]
        together. When Odoo refuses the batch, each payment is tried on its own: the
        refused ones are flagged on their documents, the others recorded."""
        if not todo:
            return self.env["account.payment"]
        # The documents' new payment status is said in the notes of their payments, not
        # tracked in a message of its own on each document (seven queries each).
        self = self.with_context(mail_notrack=True)
        todo = [(doc.with_env(self.env), values) for doc, values in todo]
        Payment = self.env["account.payment"]
        caches = {"journals": {}, "currencies": {}}
        try:
            with self.env.cr.savepoint():
                return self._xero_post_payments(todo, caches)
        except (UserError, ValidationError) as exc:
            if len(todo) == 1:
                todo[0][0]._xero_flag_attention(self._xero_refusal(todo[0][1], exc))
                return Payment
            _logger.info("Xero payments page refused as a whole (%s): one by one", exc)
        done = Payment
        caches = {"journals": {}, "currencies": {}}
        for doc, values in todo:
            recorded = self._xero_guarded(
                doc, values, self._xero_post_payments, [(doc, values)], caches
            )
            done |= recorded or Payment
        return done

    @api.model
    def _xero_post_payments(self, todo, caches):
        Payment = self.env["account.payment"]
        by_company = {}
        for doc, values in todo:
            vals = self._xero_payment_vals(doc, values, caches)
            by_company.setdefault(doc.company_id, []).append((doc, values, vals))
        items = []
        payments = Payment
        for company, group in by_company.items():
            created = Payment.with_company(company).create([vals for _d, _v, vals in group])
            created.action_post()
            payments |= created
            items.extend(
                (doc, values, payment)
                for (doc, values, _vals), payment in zip(group, created, strict=True)
            )
        # One reconciliation pass for the page: each document with its new payments.
        per_doc = {}
        for doc, _values, payment in items:
            per_doc.setdefault(doc, self.env["account.move.line"])
            per_doc[doc] |= payment.move_id.line_ids
        plan = []
        for doc, lines in per_doc.items():
            open_lines = doc._xero_term_lines().filtered(lambda line: not line.reconciled)
            counterpart = lines.filtered(
                lambda line, accounts=open_lines.account_id: (
                    line.account_id in accounts and not line.reconciled
                )
            )
            if open_lines and counterpart:
                plan.append(counterpart + open_lines)
        residuals = {doc: abs(doc.amount_residual) for doc in per_doc}
        if plan:
            self.env["account.move.line"]._reconcile_plan(plan)
        self.env.flush_all()
        self._xero_log_payments(items, residuals)
        return payments

    @api.model
    def _xero_payment_vals(self, doc, values, caches):
        """Values of the Odoo payment of Xero payment ``values`` on ``doc``."""
        company = doc.company_id
        key = (company.id, values["account_id"])
        journal = caches["journals"].get(key)
        if journal is None:
            journal = caches["journals"][key] = company._xero_payment_journal(values["account_id"])
        currency = doc.currency_id
        if values["currency"]:
            if values["currency"] not in caches["currencies"]:
                found = (
                    self.env["res.currency"]
                    .with_context(active_test=False)
                    .search([("name", "=", values["currency"])], limit=1)
                )
                if found and not found.active:
                    found.active = True
                caches["currencies"][values["currency"]] = found
            currency = caches["currencies"][values["currency"]] or doc.currency_id
        term_lines = doc._xero_term_lines()
        inbound = doc.move_type in ("out_invoice", "in_refund")
        vals = {
            "payment_type": "inbound" if inbound else "outbound",
            "partner_type": "supplier" if doc.is_purchase_document(True) else "customer",
            "partner_id": doc.commercial_partner_id.id,
            "amount": float(values["amount"]),
            "currency_id": currency.id,
            "date": values["date"] or fields.Date.context_today(self),
            "journal_id": journal.id,
            "company_id": company.id,
            "memo": values["reference"] or doc.xero_number or doc.name,
            "xero_payment_id": values["xero_id"],
            "xero_origin": "xero",
            "xero_document_id": doc.id,
            # The document's "Payments" (what Odoo's register-payment wizard links too).
            "invoice_ids": [Command.link(doc.id)],
        }
        if term_lines:
            vals["destination_account_id"] = term_lines[0].account_id.id
        if currency != company.currency_id and values["rate"]:
            # The company-currency amount Xero booked, at Xero's rate for this payment.
            vals["force_balance"] = float(
                pay_map.base_amount(
                    values["amount"], values["rate"], company.currency_id.decimal_places
                )
            )
        return vals

    @api.model
    def _xero_log_payments(self, items, residuals):
        """Say each recorded payment on its document (notes logged together), and flag
        a payment above what was left to pay in Odoo."""
        rounds, last = [], {}
        for doc, values, payment in items:
            currency = payment.currency_id
            body = _(
                "Payment of %(amount)s recorded in Xero on %(date)s: %(payment)s.",
                amount=formatLang(self.env, float(values["amount"]), currency_obj=currency),
                date=format_date(self.env, payment.date),
                payment=payment.name,
            )
            slot = next((r for r in rounds if doc.id not in r), None)
            if slot is None:
                slot = {}
                rounds.append(slot)
            slot[doc.id] = body
            last[doc] = slot
            if currency != doc.currency_id:
                continue
            residual = residuals[doc]
            amount = float(values["amount"])
            residuals[doc] = max(0.0, residual - amount)
            if currency.compare_amounts(amount, residual) > 0:
                doc._xero_flag_attention(
                    _(
                        "Xero recorded a payment of %(amount)s, more than the %(residual)s "
                        "left to pay in Odoo: the difference stays as an outstanding payment "
                        "of %(partner)s.",
                        amount=formatLang(self.env, amount, currency_obj=currency),
                        residual=formatLang(self.env, residual, currency_obj=currency),
                        partner=doc.commercial_partner_id.display_name,
                    ),
                )
        Move = self.env["account.move"]
        labels = dict(Move._fields["payment_state"]._description_selection(self.env))
        for doc, slot in last.items():
            slot[doc.id] += " " + _(
                "Payment status: %s.", labels.get(doc.payment_state, doc.payment_state)
            )
        for bodies in rounds:
            Move.browse(list(bodies))._message_log_batch(
                {doc_id: escape(body) for doc_id, body in bodies.items()}
            )

    @api.model
    def _xero_payment_deleted(self, payment, doc):
        """A Xero payment was deleted there: undo a payment read from Xero; a payment
        made in Odoo is left for a person to decide."""
        if payment.state == "canceled":
            return
        if payment.xero_origin == "xero":
            payment._xero_without_push().action_draft()
            payment._xero_without_push().action_cancel()
            doc.message_post(
                body=_("Payment %s was deleted in Xero: cancelled in Odoo.", payment.name)
            )
        elif payment.xero_push_state == "sent":
            payment.write({"xero_push_state": "deleted"})
            doc._xero_flag_attention(
                _(
                    "Payment %s, sent from Odoo, was deleted in Xero: cancel it in Odoo "
                    "or record it again in Xero.",
                    payment.name,
                ),
            )

    # -- documents ------------------------------------------------------------------------
    @api.model
    def _xero_apply_documents(self, connection, kind, records):
        """Xero's status of the documents of ``records`` Odoo sent to this organisation."""
        id_field = "InvoiceID" if kind == "invoices" else "CreditNoteID"
        by_id = {r.get(id_field): r for r in records if r.get(id_field)}
        if not by_id:
            return self.env["account.move"]
        docs = self.env["account.move"].search(
            [("xero_id", "in", list(by_id)), ("xero_connection_id", "=", connection.id)]
        )
        docs._xero_follow_status(by_id)
        return docs

    # -- webhook events: the documents named, read from Xero now ---------------------------
    @api.model
    def _xero_on_webhook(self, connection, category, resource_ids):
        kind = "credit_notes" if category == "CREDITNOTE" else "invoices"
        return self._xero_refresh_documents(connection, kind, resource_ids)

    @api.model
    def _xero_refresh_documents(self, connection, kind, xero_ids):
        """Status and payments of the documents ``xero_ids`` (webhook INVOICE or
        CREDITNOTE events, reconciliation). Documents Odoo did not send are ignored. Ids
        are sent in lists as long as a URL allows, answers read in pages of 1,000."""
        docs = self.env["account.move"].search(
            [("xero_id", "in", list(xero_ids)), ("xero_connection_id", "=", connection.id)]
        )
        if not docs:
            return docs
        client = connection._client("batch")
        xero_ids = docs.mapped("xero_id")
        query = [*PAGE_QUERY, ("includeArchived", "true")]
        if kind == "invoices":
            reads = [{"ids": ids} for ids in pay_map.ids_for_url(xero_ids, "Invoices", query)]
        else:
            reads = [
                {"where": where}
                for where in pay_map.where_for_ids("CreditNoteID", xero_ids, "CreditNotes", query)
            ]
        method, extra = READS[kind]
        try:
            for args in reads:
                self._xero_read(connection, client, kind, method, {**extra, **args})
            if not connection._xero_has_feature("payments"):
                return docs
            for where in pay_map.where_for_documents(kind, xero_ids, PAGE_QUERY):
                self._xero_read(connection, client, "payments", "get_payments", {"where": where})
        except XeroRateLimited as exc:
            # The scheduled sync catches up with these documents once Xero lets us.
            self.env.ref(CRON_XMLID)._trigger(at=exc.retry_at.replace(tzinfo=None))
        return docs

    @api.model
    def _xero_read(self, connection, client, kind, method, kwargs):
        """Apply the pages (at most MAX_PAGES) of the client's read ``method``."""
        apply = self._xero_apply_payments if kind == "payments" else self._xero_apply_documents
        pages = client.iter_pages(
            method, page_size=pay_map.PAGE_SIZE, order=pay_map.ORDER, **kwargs
        )
        for records in islice(pages, MAX_PAGES):
            apply(connection, kind, records)
