import functools
import json
import logging
from datetime import datetime

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..xero import XeroAuthError, XeroError, XeroRateLimited
from ..xero.mapping import payment as pay_map

_logger = logging.getLogger(__name__)

CURSOR_PARAM = "xero_connector.sync_cursor.%s"
MAX_PAGES = 20  # pages of 100 per collection and run; the cron is triggered again for more
CRON_XMLID = "xero_connector.ir_cron_xero_payment_sync"
COLLECTIONS = {"payments": "Payments", "invoices": "Invoices", "credit_notes": "CreditNotes"}


class XeroPaymentSync(models.AbstractModel):
    """Xero -> Odoo: payments made in Xero on the documents Odoo sent there, and Xero's
    status of those documents. Run by a cron (changes since the last run, through
    If-Modified-Since and paging) and by webhook events (the documents named).

    Every Xero payment is applied once, keyed by its PaymentID: running again, or a
    replayed event, changes nothing. Payments Odoo sent to Xero are recognised by that
    id too, so they never come back as new ones."""

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
        """Pull changed payments, then changed documents. Returns True when pages were
        left for the next run."""
        try:
            client = connection._client("batch")
            more = self._xero_pull_payments(connection, client)
            for kind in ("invoices", "credit_notes"):
                more |= self._xero_pull_documents(connection, client, kind)
            return more
        except XeroRateLimited as exc:
            self.env.ref(CRON_XMLID)._trigger(at=exc.retry_at.replace(tzinfo=None))
        except XeroAuthError as exc:
            connection._mark_reconnect_needed(exc.user_message())
        except XeroError as exc:
            _logger.info("Xero payment sync of %s postponed: %s", connection.name, exc)
        return False

    # -- cursors (Xero's own clock: the newest UpdatedDateUTC seen) ---------------------------
    @api.model
    def _xero_cursor(self, connection, what):
        raw = self.env["ir.config_parameter"].sudo().get_param(CURSOR_PARAM % connection.id)
        value = (json.loads(raw) if raw else {}).get(what)
        return datetime.fromisoformat(value) if value else None

    @api.model
    def _xero_set_cursor(self, connection, what, value):
        if not value:
            return
        params = self.env["ir.config_parameter"].sudo()
        raw = params.get_param(CURSOR_PARAM % connection.id)
        data = json.loads(raw) if raw else {}
        data[what] = value.isoformat()
        params.set_param(CURSOR_PARAM % connection.id, json.dumps(data, sort_keys=True))

    def _xero_pages(self, connection, what, fetch, apply):
        """Fetch the pages changed since the cursor, ``apply`` each, move the cursor.
        Returns True when MAX_PAGES were read and more remain."""
        since = self._xero_cursor(connection, what)
        cursor = since
        for page in range(1, MAX_PAGES + 1):
            records = fetch(page=page, if_modified_since=since)
            apply(connection, records)
            cursor = pay_map.next_cursor(cursor, records)
            if not records.has_more:
                self._xero_set_cursor(connection, what, cursor)
                return False
        # Xero sorts by UpdatedDateUTC: the next run starts after what was read.
        self._xero_set_cursor(connection, what, cursor)
        return True

    # -- payments -------------------------------------------------------------------------
    @api.model
    def _xero_pull_payments(self, connection, client):
        return self._xero_pages(
            connection, "payments", client.get_payments, self._xero_apply_payments
        )

    @api.model
    def _xero_apply_payments(self, connection, records):
        """Apply Xero payments to the documents of this organisation Odoo knows."""
        targets = {}
        for record in records:
            _kind, doc_id = pay_map.target(record)
            if doc_id:
                targets.setdefault(doc_id, []).append(record)
        if not targets:
            return self.env["account.payment"]
        docs = self.env["account.move"].search(
            [("xero_id", "in", list(targets)), ("xero_connection_id", "=", connection.id)]
        )
        done = self.env["account.payment"]
        for doc in docs:
            for record in targets[doc.xero_id]:
                done |= self._xero_apply_one_payment(connection, doc, record)
        return done

    @api.model
    def _xero_apply_one_payment(self, connection, doc, record):
        """One payment; what Odoo refuses is said on the document, the run goes on."""
        Payment = self.env["account.payment"]
        known = Payment.search_count(
            [
                ("xero_payment_id", "=", record.get("PaymentID")),
                ("company_id", "=", doc.company_id.id),
            ]
        )
        if doc.state != "posted" and not known and record.get("Status") != "DELETED":
            self._xero_flag(
                doc,
                _(
                    "Xero recorded a payment of %(amount)s on it (%(date)s) but it is not "
                    "posted in Odoo: record the payment by hand.",
                    amount=record.get("Amount"),
                    date=pay_map.payment_values(record)["date"],
                ),
            )
            return Payment
        try:
            with self.env.cr.savepoint():
                return Payment._xero_apply_pulled(connection, doc, record)
        except (UserError, ValidationError) as exc:
            self._xero_flag(
                doc,
                _(
                    "Xero payment %(payment)s could not be recorded in Odoo: %(error)s",
                    payment=record.get("PaymentID"),
                    error=exc.args[0] if exc.args else exc,
                ),
            )
            return Payment

    # -- documents ------------------------------------------------------------------------
    @api.model
    def _xero_pull_documents(self, connection, client, kind):
        fetch = functools.partial(self._xero_get_documents, client, kind)

        def apply(conn, records):
            self._xero_apply_documents(conn, kind, records)

        return self._xero_pages(connection, kind, fetch, apply)

    @api.model
    def _xero_get_documents(self, client, kind, page=None, where=None, if_modified_since=None):
        """Invoices or credit notes, DELETED ones included (Xero leaves them out unless
        includeArchived=true; the client's get_credit_notes has no such argument)."""
        if kind == "invoices":
            return client.get_invoices(
                page=page, where=where, if_modified_since=if_modified_since, include_archived=True
            )
        query = [("page", str(page))] if page else []
        if where:
            query.append(("where", where))
        query.append(("includeArchived", "true"))
        return client._get_list(
            "get_credit_notes", "CreditNotes", query, if_modified_since, page, None
        )

    @api.model
    def _xero_apply_documents(self, connection, kind, records):
        id_field = "InvoiceID" if kind == "invoices" else "CreditNoteID"
        by_id = {r.get(id_field): r for r in records if r.get(id_field)}
        if not by_id:
            return self.env["account.move"]
        docs = self.env["account.move"].search(
            [("xero_id", "in", list(by_id)), ("xero_connection_id", "=", connection.id)]
        )
        for doc in docs:
            doc._xero_apply_status(by_id[doc.xero_id])
        return docs

    @api.model
    def _xero_apply_status(self, doc, record):
        """Keep Xero's status of ``doc``; a document voided or deleted in Xero, or settled
        there with an overpayment or prepayment, is flagged for a person to decide."""
        status = record.get("Status")
        if not status:
            return
        if status != doc.xero_status:
            doc.write({"xero_status": status})
        if status in pay_map.GONE_STATUSES:
            if doc.xero_state != "cancelled" and doc.state != "cancel":
                doc.write({"xero_state": "cancelled"})
                self._xero_flag(
                    doc,
                    _(
                        "%(status)s in Xero: Odoo has not cancelled it. Cancel it in Odoo, "
                        "or duplicate it to send a new one to Xero.",
                        status=pay_map.status_label(status),
                    ),
                )
            return
        for reason in pay_map.attention_reasons(record):
            self._xero_flag(doc, reason)

    @api.model
    def _xero_flag(self, doc, reason):
        """Say on ``doc`` what needs a person (once per reason), with a to-do."""
        current = doc.xero_attention or ""
        if reason in current.split("\n"):
            return
        doc.write({"xero_attention": "\n".join(filter(None, [current, reason]))})
        doc.message_post(body=_("Xero: %s", reason))
        user = doc.invoice_user_id or doc.create_uid
        doc.activity_schedule(
            "xero_connector.mail_activity_xero_attention",
            note=reason,
            user_id=(user if user and not user.share else self.env.user).id,
        )

    @api.model
    def _xero_unflag(self, docs):
        docs.write({"xero_attention": False})
        docs.activity_feedback(["xero_connector.mail_activity_xero_attention"])

    # -- webhook events: the documents named, read from Xero now ---------------------------
    @api.model
    def _xero_refresh_documents(self, connection, kind, xero_ids):
        """Status and payments of the documents ``xero_ids`` (webhook INVOICE or
        CREDITNOTE events). Documents Odoo did not send are ignored."""
        docs = self.env["account.move"].search(
            [("xero_id", "in", list(xero_ids)), ("xero_connection_id", "=", connection.id)]
        )
        if not docs:
            return docs
        client = connection._client("batch")
        id_field = "InvoiceID" if kind == "invoices" else "CreditNoteID"
        try:
            for where in pay_map.where_for_ids(id_field, docs.mapped("xero_id")):
                records = self._xero_get_documents(client, kind, page=1, where=where)
                self._xero_apply_documents(connection, kind, records)
            for where in pay_map.where_for_documents(kind, docs.mapped("xero_id")):
                page = 1
                while page <= MAX_PAGES:
                    records = client.get_payments(page=page, where=where)
                    self._xero_apply_payments(connection, records)
                    if not records.has_more:
                        break
                    page += 1
        except XeroRateLimited as exc:
            # The scheduled sync catches up with these documents once Xero lets us.
            self.env.ref(CRON_XMLID)._trigger(at=exc.retry_at.replace(tzinfo=None))
        return docs

    # -- the journal of payments made in Xero -------------------------------------------------
    @api.model
    def _xero_payment_journal(self, company, xero_account_id=None):
        """The journal of a payment read from Xero: the journal mapped to its Xero bank
        account, else the company's "Xero payments" journal (created when first needed)."""
        Journal = self.env["account.journal"].sudo()
        if xero_account_id:
            mapped = Journal.search(
                [
                    ("company_id", "=", company.id),
                    ("xero_bank_account_id.xero_id", "=", xero_account_id),
                ],
                limit=1,
            )
            if mapped:
                return mapped
        if company.xero_payment_journal_id:
            return company.xero_payment_journal_id
        code = "XERO"
        taken = set(Journal.search([("company_id", "=", company.id)]).mapped("code"))
        counter = 1
        while code in taken:
            counter += 1
            code = f"XER{counter}"
        journal = Journal.create(
            {
                "name": _("Xero payments"),
                "code": code,
                "type": "bank",
                "company_id": company.id,
            }
        )
        company.sudo().xero_payment_journal_id = journal
        return journal

    @api.model
    def _xero_today(self):
        return fields.Date.context_today(self)
