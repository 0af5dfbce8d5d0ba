import logging

from odoo import _, api, models
from odoo.exceptions import UserError
from odoo.tools import SQL, formatLang

from ..xero import XeroError
from ..xero.mapping import documents as mapping
from .xero_document_mixin import APPROVED_RULE

_logger = logging.getLogger(__name__)


class XeroDocumentExport(models.AbstractModel):
    """Purchase orders and invoices/bills on the outbox engine (xero_outbox.py): what
    is claimed (per document kind), the payloads, the lookup of a send whose answer
    was lost (by our number, contact and date) and what Xero's record changes here."""

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

    # -- the cron (xero_outbox.py) and its hooks ------------------------------------------
    @api.model
    def _cron_xero_export(self, **kwargs):
        return self._xero_outbox_run(**kwargs)

    @api.model
    def _xero_outbox_lanes(self):
        return self._xero_kinds()

    @api.model
    def _xero_outbox_lane_sql(self, kind):
        return self._xero_kind_sql(kind)

    @api.model
    def _xero_outbox_domain(self):
        return self._xero_exportable_domain()

    def _xero_outbox_claim_values(self, connection):
        return {"xero_connection_id": connection.id}

    def _xero_outbox_after_batch(self):
        self._xero_notify()  # open forms show the new state by themselves

    @api.model
    def _xero_outbox_prepare_run(self, connection, kind, limit):
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

    # -- one batch ------------------------------------------------------------------------
    def _xero_outbox_push(self, connection, kind, lookups):
        """The claimed documents of one kind: looked up first when their last send has
        no known outcome, then created (PUT) or updated (POST), one call each."""
        client = connection._client("batch").concerning((d._name, d.id) for d in self)
        payloads, unitdp = self._xero_prepare(connection, client)
        # A previous send of these may have created them: find them before sending again.
        lost = {d: p for d, p in payloads.items() if d in lookups and not d.xero_id}
        if lost:
            lookup_client = client.concerning((d._name, d.id) for d in lost)
            for doc, record in self._xero_outbox_find(lookup_client, lost).items():
                doc._xero_outbox_adopt(connection, record, client=client)
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
                doc._xero_outbox_refuse(
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
                doc._xero_outbox_refuse([_(APPROVED_RULE)], connection)
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
                doc._xero_outbox_refuse(problems, connection)
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
            if group and stop:
                # Not sent in this run, which ends: back in the queue, not held for a
                # whole lease (updates are never looked up: their key may go).
                self.browse([d.id for d in group])._xero_outbox_release(False, self.browse())
            elif group:
                stop = self._xero_post_chunk(connection, client, kind, method, group, unitdp)
        return stop

    def _xero_post_chunk(self, connection, client, kind, method, payloads, unitdp):
        """One call through the client's batch machinery, under each document's key (its
        "maybe sent" marker); the engine writes back the client's result per document."""
        docs = self.browse([d.id for d in payloads])
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
        notes = {}

        def accepted(doc, result):
            doc._xero_apply_record(connection, result.record, client, notes=notes)

        stop = docs._xero_outbox_answer(connection, results, accepted)
        if notes:
            self.browse(list(notes))._message_log_batch(bodies=notes)
        if not stop:
            self._xero_cancel_if_cancelled_meanwhile(docs)
        return stop

    def _xero_cancel_if_cancelled_meanwhile(self, docs):
        """A user cancelled a document while Xero was creating it: undo it in Xero."""
        for doc in docs:
            doc.invalidate_recordset(["state"])
            if doc.xero_id and doc.state == "cancel":
                try:
                    doc._xero_cancel_one()
                except UserError as exc:
                    doc._xero_write({"xero_warning": str(exc.args[0])})

    # -- Xero's record written back --------------------------------------------------------
    def _xero_outbox_apply(self, connection, record, client=None, notes=None):
        """Found in Xero by the lookup: adopted like an answer to a send."""
        self._xero_apply_record(connection, record, client or connection._client("batch"))

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
        self._xero_outbox_settle(vals)  # a definite answer: the marker goes
        if first:
            self._xero_after_first_send()
        items = record.get("LineItems") or []
        for line, item in zip(self._xero_lines(), items, strict=False):
            if item.get("LineItemID") and line.xero_line_id != item["LineItemID"]:
                models.BaseModel.write(line, {"xero_line_id": item["LineItemID"]})
        warnings += self._xero_send_extras(connection, client, record)
        self._xero_write({"xero_warning": "\n".join(warnings) or False})
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

    # -- looking up a send whose answer was lost ---------------------------------------------
    @api.model
    def _xero_outbox_find(self, client, payloads):
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
