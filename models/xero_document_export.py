import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, formatLang

from ..xero import (
    XeroAuthError,
    XeroError,
    XeroRateLimited,
    XeroResponseError,
    XeroTransientError,
)
from ..xero.mapping import documents as mapping
from .xero_document_mixin import APPROVED_RULE

_logger = logging.getLogger(__name__)

BATCH_SIZE = 50  # documents per call, as Xero recommends
MAX_BATCHES = 10  # per organisation and document kind in one cron run
LEASE = timedelta(minutes=10)  # a claimed batch is not taken by another worker meanwhile
LEASE_PARAM = "xero_connector.export_lease_seconds"  # overrides LEASE (chaos runs)
RETRY_DELAY = timedelta(minutes=2)  # after Xero or the network failed


class XeroDocumentExport(models.AbstractModel):
    """The export engine shared by purchase orders and invoices/bills.

    Exactly once, even when Xero forgets idempotency keys: before a batch is sent,
    each document gets an idempotency key and a "send pending" marker, committed with
    the claim. A send whose answer was lost (timeout, crash, killed worker) leaves the
    marker; the next attempt first searches Xero for the document (by our number, URL or
    supplier number + contact + date) and adopts what it finds instead of creating it
    again. The marker is cleared only on a definite answer.
    """

    _inherit = "xero.document.mixin"

    @api.model
    def _xero_kinds(self):
        raise NotImplementedError

    @api.model
    def _xero_kind_sql(self, kind):
        """SQL condition selecting this model's documents of ``kind``."""
        raise NotImplementedError

    @api.model
    def _xero_exportable_domain(self):
        """The documents that may be sent (approved orders, posted invoices)."""
        raise NotImplementedError

    # -- the cron -------------------------------------------------------------------------
    @api.model
    def _cron_xero_export(self, batch_size=BATCH_SIZE, max_batches=MAX_BATCHES):
        done, stopped = 0, False
        for connection in self.env["xero.connection"].search([("state", "=", "connected")]):
            # Company-dependent values (product accounts, partner payment terms and
            # currencies) are read in the company whose documents are sent.
            model = self.with_company(connection.company_id)
            for kind in self._xero_kinds():
                model._xero_ensure_run_contacts(connection, kind, batch_size * max_batches)
                for _i in range(max_batches):
                    docs, lookups = model._xero_claim(connection, kind, batch_size)
                    if not docs:
                        break
                    # Crons may commit (as account_peppol does): the claim, its idempotency
                    # keys and "send pending" markers must be durable before Xero is
                    # called, so that a worker killed during the call leaves a trace.
                    self.env.cr.commit()
                    stop = docs._xero_send(connection, kind, lookups)
                    docs._xero_notify()  # open forms show the new state by themselves
                    self.env.cr.commit()  # Xero's answer is durable at once
                    done += len(docs)
                    if stop:
                        stopped = True
                        break
                if connection.state != "connected" or stopped:
                    break
        remaining = self.search_count(self._xero_claimable_domain())
        self.env["ir.cron"]._notify_progress(done=done, remaining=0 if stopped else remaining)
        if remaining and not stopped:
            self._xero_trigger_cron()
        return done

    @api.model
    def _xero_ensure_run_contacts(self, connection, kind, limit):
        """Before the batches of a run: create or match the Xero contacts of all the
        suppliers/customers they need at once (50 per call, one list read), instead of
        a lookup and a create per batch. Failures are left to each batch to report."""
        self.env.cr.execute(
            SQL(
                """SELECT id FROM %s
                    WHERE xero_state = 'queued' AND company_id = %s AND %s
                    ORDER BY id LIMIT %s""",
                SQL.identifier(self._table),
                connection.company_id.id,
                self._xero_kind_sql(kind),
                limit,
            )
        )
        docs = self.browse([row[0] for row in self.env.cr.fetchall()])
        if not docs:
            return
        try:
            docs._xero_ensure_contacts(connection, connection._client("batch"))
            self.env.cr.commit()  # the links made are durable, like the batches' claims
        except XeroError as exc:
            _logger.info("Xero contacts not prepared for the run: %s", exc.user_message())

    def _xero_claimable_domain(self):
        now = fields.Datetime.now()
        return [
            *self._xero_exportable_domain(),
            ("company_id.xero_connection_ids.state", "=", "connected"),
            ("xero_state", "=", "queued"),
            "|",
            ("xero_retry_at", "=", False),
            ("xero_retry_at", "<=", now),
        ]

    @api.model
    def _xero_claim(self, connection, kind, limit):
        """Take up to ``limit`` queued documents under a row lock (other workers skip
        them), lease them and give each an idempotency key. Returns (docs, lookups):
        ``lookups`` are those whose previous send has no known outcome."""
        self.env.flush_all()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """SELECT id FROM %s
                    WHERE xero_state = 'queued' AND company_id = %s AND %s
                      AND (xero_retry_at IS NULL OR xero_retry_at <= %s)
                    ORDER BY id LIMIT %s
                    FOR UPDATE SKIP LOCKED""",
                SQL.identifier(self._table),
                connection.company_id.id,
                self._xero_kind_sql(kind),
                now,
                limit,
            )
        )
        docs = self.browse([row[0] for row in self.env.cr.fetchall()])
        lookups = docs.filtered(lambda d: d.xero_pending_key and not d.xero_id)
        params = self.env["ir.config_parameter"].sudo()
        uuid = params.get_param("database.uuid")
        # How long a claimed batch is left to the worker sending it; after a crash its
        # documents are taken again once it runs out. Longer than any send can take.
        lease = timedelta(seconds=int(params.get_param(LEASE_PARAM) or LEASE.total_seconds()))
        for doc in docs:
            vals = {"xero_retry_at": now + lease, "xero_connection_id": connection.id}
            if not doc.xero_pending_key:
                count = doc.xero_send_count + 1
                vals.update(
                    xero_send_count=count,
                    xero_pending_key=f"{uuid}/{doc._name}/{doc.id}/{count}",
                    xero_attempt_at=now,
                )
            doc._xero_write(vals)
        return docs, lookups

    # -- one batch ------------------------------------------------------------------------
    def _xero_send(self, connection, kind, lookups):
        """Send the claimed documents of one kind in one call. Returns True when the
        organisation must not be called again in this run (rate limit, lost access,
        Xero down)."""
        try:
            return self._xero_send_batch(connection, kind, lookups)
        except XeroRateLimited as exc:
            # Not processed by Xero: nothing to look up later, no sleeping here.
            retry_at = exc.retry_at.replace(tzinfo=None)
            self._xero_release(retry_at, unknown=lookups)
            self._xero_trigger_cron(at=retry_at)
            return True
        except XeroAuthError as exc:
            # Tokens dead or access refused: documents stay queued for after reconnecting.
            self._xero_release(False, unknown=lookups)
            if connection.state == "connected":
                connection._mark_reconnect_needed(exc.user_message())
            return True
        except (XeroTransientError, XeroResponseError) as exc:
            retry_at = fields.Datetime.now() + RETRY_DELAY
            self._xero_release(retry_at, unknown=lookups)
            self._xero_trigger_cron(at=retry_at)
            _logger.info("Xero export postponed: %s", exc.user_message())
            return True

    def _xero_release(self, retry_at, unknown):
        """Leave the documents queued; those whose last send may have reached Xero keep
        their marker (and key) so that the next attempt looks them up first."""
        for doc in self:
            vals = {"xero_retry_at": retry_at}
            if doc not in unknown:
                vals.update(xero_pending_key=False, xero_attempt_at=False)
            doc._xero_write(vals)

    def _xero_send_batch(self, connection, kind, lookups):
        client = connection._client("batch").concerning((d._name, d.id) for d in self)
        payloads, unitdp = self._xero_prepare(connection, client)
        # A previous send of these may have created them: find them before sending again.
        lost = {d: p for d, p in payloads.items() if d in lookups and not d.xero_id}
        if lost:
            lookup_client = client.concerning((d._name, d.id) for d in lost)
            for doc, record in self._xero_lookup(lookup_client, lost).items():
                doc._xero_apply_record(connection, record, client)
                if mapping.editable(record.get("Status")):
                    payloads[doc] = doc._xero_with_ids(payloads[doc])
                else:
                    payloads.pop(doc)
        updates = [d for d in payloads if d.xero_id and d not in lost]
        statuses = self._xero_current_statuses(
            client.concerning((d._name, d.id) for d in updates), kind, updates
        )
        for doc in updates:
            status = statuses.get(doc.xero_id)
            if status in (None, "DELETED", "VOIDED"):
                doc._xero_write({"xero_status": status or "DELETED"})
                doc._xero_refuse(
                    [
                        _(
                            "The Xero document %s was deleted or voided in Xero: changes "
                            "cannot be sent to it.",
                            doc.xero_number or doc.xero_id,
                        )
                    ],
                    connection,
                )
                payloads.pop(doc)
            elif not mapping.editable(status):
                doc._xero_write({"xero_status": status})
                doc._xero_refuse([_(APPROVED_RULE)], connection)
                payloads.pop(doc)
        if not payloads:
            return False
        return self._xero_post(connection, client, kind, payloads, unitdp)

    @api.model
    def _xero_current_statuses(self, client, kind, docs):
        """{xero id: Xero's status now} for documents about to be updated, in one call
        for invoices and credit notes (purchase orders have no id filter in Xero)."""
        ids = [d.xero_id for d in docs]
        if not ids:
            return {}
        id_field = mapping.ID_FIELD[kind]
        records = client.get_by_ids(kind, ids)
        return {r.get(id_field): r.get("Status") for r in records}

    def _xero_prepare(self, connection, client):
        """Payloads of the documents Xero can take; the others are refused with why."""
        currencies = self.env["xero.connection"]._xero_currency_codes(
            client, self.currency_id.mapped("name")
        )
        if any(doc.currency_id.name not in currencies for doc in self):
            # Whether Xero lists the base currency there is not documented: ask once.
            currencies.add(client.get_organisation().get("BaseCurrency"))
        contact_errors = self._xero_ensure_contacts(connection, client)
        self._xero_prefetch_links(connection)
        try:
            return self._xero_prepare_payloads(connection, currencies, contact_errors)
        finally:
            self.env["xero.link"].sudo()._prefetch_done()

    def _xero_prefetch_links(self, connection):
        """The account, tax, item, contact and tracking links of the whole batch."""
        lines = self.env[self._xero_lines()._name].browse()
        partners = self.env["res.partner"]
        for doc in self:
            lines |= doc._xero_lines()
            partners |= doc._xero_partner()
        analytic = set()
        for line in lines:
            for key in line.analytic_distribution or {}:
                analytic.update(int(x) for x in str(key).split(",") if x.strip())
        records = {
            "tax": lines.tax_ids if "tax_ids" in lines._fields else lines.taxes_id,
            "item": lines.product_id,
            "contact": partners,
            "tracking_option": self.env["account.analytic.account"].browse(analytic),
        }
        if "account_id" in lines._fields:  # purchase lines take the product's account
            records["account"] = lines.account_id
        self.env["xero.link"].sudo()._prefetch(connection, records)

    def _xero_prepare_payloads(self, connection, currencies, contact_errors):
        payloads, unitdp = {}, None
        for doc in self:
            if not doc._xero_is_exportable_state():  # reset to draft or cancelled meanwhile
                # An earlier send may have reached Xero: the marker stays for the next one.
                doc._xero_write(
                    {
                        "xero_state": "changed" if doc.xero_id else "not_sent",
                        "xero_retry_at": False,
                    }
                )
                continue
            partner = doc._xero_partner()
            problems = doc._xero_refusals(check_mapping=False)  # mapped just below
            if not problems and partner.id in contact_errors:
                problems = [contact_errors[partner.id]]
            if not problems:
                try:
                    payload, dp = mapping.document_payload(doc._xero_values(connection))
                except mapping.MappingError as exc:
                    problems = exc.problems
            if not problems and not payload["Contact"].get("ContactID"):
                problems = [_("%s has no Xero contact.", partner.display_name)]
            if not problems and payload.get("CurrencyCode") not in currencies:
                problems = [
                    _(
                        "The currency %(cur)s is not enabled in the Xero organisation "
                        "%(org)s: add it in Xero (Settings > Currencies) and resend.",
                        cur=payload.get("CurrencyCode"),
                        org=connection.tenant_name,
                    )
                ]
            if problems:
                doc._xero_refuse(problems, connection)
                continue
            payloads[doc] = doc._xero_with_ids(payload)
            unitdp = unitdp or dp
        return payloads, unitdp

    def _xero_ensure_contacts(self, connection, client):
        """Create or match the Xero contacts of partners not linked yet (batched).
        Returns {partner id: reason} for partners that cannot be used."""
        partners = self.env["res.partner"]
        for doc in self:
            partners |= doc._xero_partner()
        errors = {}
        if partners:
            partners._xero_ensure_contacts(connection, client=client, errors=errors)
        return errors

    def _xero_with_ids(self, payload):
        """The payload with this document's Xero id and line ids (updates, not copies)."""
        kind = self._xero_kind()
        payload = dict(payload)
        if self.xero_id:
            payload[mapping.ID_FIELD[kind]] = self.xero_id
            lines = [dict(item) for item in payload["LineItems"]]
            for item, line in zip(lines, self._xero_lines(), strict=False):
                if line.xero_line_id:
                    item["LineItemID"] = line.xero_line_id
            payload["LineItems"] = lines
        return payload

    def _xero_post(self, connection, client, kind, payloads, unitdp):
        """Creates go with PUT (a number Xero already has is refused, never overwritten),
        updates with POST; one call each per batch."""
        creates = {d: p for d, p in payloads.items() if not d.xero_id}
        updates = {d: p for d, p in payloads.items() if d.xero_id}
        stop = False
        for method, group in (("PUT", creates), ("POST", updates)):
            if group and not stop:
                stop = self._xero_post_chunk(connection, client, kind, method, group, unitdp)
        return stop

    def _xero_post_chunk(self, connection, client, kind, method, payloads, unitdp):
        """One call through the client's batch machinery, under each document's key (its
        "maybe sent" marker); the client gives one result per document."""
        docs = list(payloads)
        records = [
            (
                doc.xero_pending_key or f"{doc._name}/{doc.id}/{doc.xero_send_count}",
                payloads[doc],
                (doc._name, doc.id),  # the call is logged against the documents it sends
            )
            for doc in docs
        ]
        results = client.send_batch(
            kind, records, create_only=method == "PUT", chunk_size=len(records), unitdp=unitdp
        )
        stopped = next((r.exception for r in results if r.exception is not None), None)
        if isinstance(stopped, (XeroRateLimited, XeroAuthError)):
            raise stopped  # not processed by Xero: handled for the whole batch
        if isinstance(stopped, XeroTransientError):
            # Xero may have created them: keep every marker, look them up next time.
            retry_at = fields.Datetime.now() + RETRY_DELAY
            self.browse([d.id for d in docs])._xero_release(retry_at, unknown=self)
            self._xero_trigger_cron(at=retry_at)
            _logger.info("Xero export outcome unknown, will look up: %s", stopped.user_message())
            return True
        if isinstance(stopped, XeroResponseError):
            self.browse([d.id for d in docs])._xero_unreadable(stopped.message, connection)
            return True
        if stopped is not None:  # the whole request refused: nothing created
            for doc in docs:
                doc._xero_refuse([stopped.user_message()], connection, refused_by_xero=True)
            return False
        notes = {}
        for doc, result in zip(docs, results, strict=True):
            if result.ok and not isinstance(result.xero_id, str):
                doc._xero_unreadable(_("it gives no id for the document"), connection)
            elif result.ok:
                doc._xero_apply_record(connection, result.record, client, notes=notes)
            else:
                doc._xero_refuse(result.errors, connection, from_xero=True)
        if notes:
            self.browse(list(notes))._message_log_batch(bodies=notes)
        self._xero_cancel_if_cancelled_meanwhile(docs)
        return False

    def _xero_cancel_if_cancelled_meanwhile(self, docs):
        """A user cancelled a document while Xero was creating it: undo it in Xero."""
        for doc in docs:
            doc.invalidate_recordset(["state"])
            if doc.xero_id and doc.state == "cancel":
                try:
                    doc._xero_cancel_one()
                except UserError as exc:
                    doc._xero_write({"xero_warning": str(exc.args[0])})

    # -- outcomes ------------------------------------------------------------------------
    def _xero_apply_record(self, connection, record, client, notes=None):
        """Xero holds the document: keep its id, number, status and line ids, compare
        totals, then send notes, attachments and credit allocations. The chatter note
        of a first send goes into ``notes`` ({id: body}) when given, for one batch log."""
        self.ensure_one()
        kind = self._xero_kind()
        first = not self.xero_id
        vals = {
            "xero_connection_id": connection.id,
            "xero_id": record.get(mapping.ID_FIELD[kind]),
            "xero_number": record.get(mapping.NUMBER_FIELD[kind]) or False,
            "xero_status": record.get("Status"),
            "xero_state": "sent",
            "xero_error": False,
            "xero_pending_key": False,
            "xero_attempt_at": False,
            "xero_retry_at": False,
        }
        warnings = []
        total, tax = self._xero_odoo_totals()
        diff = mapping.totals_difference(total, tax, record.get("Total"), record.get("TotalTax"))
        rounded = len(record.get("LineItems") or []) > len(self._xero_lines())
        if diff and rounded and diff["total"][0] == diff["total"][1]:
            diff = None  # a rounding line made Xero's total Odoo's, as the company chose
        if diff:

            def money(value):
                return formatLang(self.env, float(value), currency_obj=self.currency_id)

            warnings.append(
                _(
                    "Xero's total %(xt)s (tax %(xtax)s) differs from Odoo's %(ot)s (tax "
                    "%(otax)s). Xero rounds tax per line: set Odoo's tax rounding to "
                    "'Round per Line' (Accounting settings) or correct the document in Xero.",
                    xt=money(diff["total"][1]),
                    xtax=money(diff["tax"][1]),
                    ot=money(diff["total"][0]),
                    otax=money(diff["tax"][0]),
                )
            )
        self._xero_write(vals)
        items = record.get("LineItems") or []
        for line, item in zip(self._xero_lines(), items, strict=False):
            if item.get("LineItemID") and line.xero_line_id != item["LineItemID"]:
                models.BaseModel.write(line, {"xero_line_id": item["LineItemID"]})
        warnings += self._xero_send_extras(connection, client, record)
        self._xero_write({"xero_warning": "\n".join(warnings) or False})
        self._xero_fixed()
        if warnings:
            self.message_post(body=_("Sent to Xero with remarks: %s", "\n".join(warnings)))
        elif first:
            # A note, not a post: nobody is notified of a routine send (and a post with
            # its notification machinery costs more than the rest of the export).
            body = _("Sent to Xero as %s.", self.xero_number or self.xero_id)
            if notes is None:
                self._message_log(body=body)
            else:
                notes[self.id] = body

    def _xero_refuse(self, problems, connection, from_xero=False, refused_by_xero=None):
        """Stop the documents in error. Only Xero's own refusal of a send clears the "maybe
        sent" marker: after a refusal made here, an earlier send whose answer was lost may
        still have created the document, and the next send must look it up first."""
        message = "\n".join(str(p) for p in problems)
        if from_xero:
            message = _("Xero refused the document: %s", message)
        vals = {"xero_state": "error", "xero_error": message, "xero_retry_at": False}
        if from_xero if refused_by_xero is None else refused_by_xero:
            vals.update(xero_pending_key=False, xero_attempt_at=False)
        self._xero_write(vals)
        event = {"operation": "refused", "outcome": "failed", "xero_message": message}
        self.env["xero.log"]._log_event(connection, event, record=self)
        self.message_post(body=_("Not sent to Xero: %s", message))
        self._xero_schedule_fix(message)

    def _xero_unreadable(self, reason, connection):
        """Xero's answer to a send could not be read (cut-off JSON, an HTML page, an
        unexpected shape). The documents may or may not be in Xero: they stop in error
        (sending again would likely meet the same answer) but keep their pending key,
        so that Resend first looks them up in Xero and never creates them twice."""
        message = _(
            "Xero's answer could not be read (%s). The document may have reached Xero: "
            "Resend looks it up there first and never creates it twice.",
            reason,
        )
        self._xero_write({"xero_state": "error", "xero_error": message, "xero_retry_at": False})
        event = {"operation": "unreadable", "outcome": "failed", "xero_message": message}
        self.env["xero.log"]._log_event(connection, event, record=self)
        for doc in self:
            doc._message_log(body=_("Not sent to Xero: %s", message))

    # -- looking up a send whose answer was lost ---------------------------------------------
    @api.model
    def _xero_lookup(self, client, payloads):
        """{doc: Xero record} for documents of ``payloads`` that Xero already holds.

        No time window (If-Modified-Since) and no page limit: the candidates are read by
        what identifies them (our number, the supplier, the order date), every page."""
        if not payloads:
            return {}
        kind = next(iter(payloads))._xero_kind()
        records = []
        method = {"purchase_orders": "get_purchase_orders", "invoices": "get_invoices"}.get(
            kind, "get_credit_notes"
        )
        for query in mapping.lookup_queries(kind, list(payloads.values())):
            for batch in client.iter_pages(method, **query):
                records.extend(batch)
        id_field = mapping.ID_FIELD[kind]
        ids = [r.get(id_field) for r in records if r.get(id_field)]
        taken = set(self.search([("xero_id", "in", ids)]).mapped("xero_id")) if ids else set()
        found = {}
        for doc, payload in payloads.items():
            ident = mapping.identity(payload, kind)
            record = mapping.find_match(records, ident, kind, exclude_ids=taken)
            if record:
                found[doc] = record
                taken.add(record.get(id_field))
        return found
