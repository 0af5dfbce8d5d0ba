import base64
import hashlib
import hmac
import json
import logging

from odoo import SUPERUSER_ID, _, api, fields, models

_logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# Which model reacts to each Xero event category, through `_xero_on_webhook(connection,
# category, resource_ids)`; a category without a handler is recorded and marked ignored.
HANDLERS = {
    "INVOICE": "xero.payment.sync",
    "CREDITNOTE": "xero.payment.sync",
    "CONTACT": "res.partner",
}


def signature_of(key, body):
    """Xero's x-xero-signature: base64 of the HMAC-SHA256 of the raw body."""
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


# What identifies an event (the unique constraint) and routes it: Xero always sends them.
REQUIRED_EVENT_FIELDS = ("tenantId", "eventCategory", "resourceId", "eventDateUtc")


def _text(event, name):
    """``event[name]`` when it is a non-empty string, else None."""
    value = event.get(name) if isinstance(event, dict) else None
    return value if isinstance(value, str) and value.strip() else None


class XeroWebhookEvent(models.Model):
    """One notification from Xero, stored by the webhook route and processed by a cron.

    Events carry no data, only which record changed: processing reads the record from
    Xero, so duplicated, replayed or out-of-order events are harmless."""

    _name = "xero.webhook.event"
    _description = "Xero Webhook Event"
    _order = "id desc"
    _rec_name = "resource_id"

    connection_id = fields.Many2one("xero.connection", ondelete="cascade", index=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    tenant_id = fields.Char(required=True, index=True)
    event_category = fields.Char(required=True)
    event_type = fields.Char()
    resource_id = fields.Char(required=True)
    resource_url = fields.Char()
    event_date = fields.Char(help="eventDateUtc as Xero sent it.")
    state = fields.Selection(
        [("new", "To process"), ("done", "Processed"), ("ignored", "Ignored"), ("error", "Error")],
        default="new",
        required=True,
        index=True,
    )
    message = fields.Char()
    document_ref = fields.Char(string="Document", compute="_compute_document")

    def _documents(self):
        """{event id: the Odoo record the event is about} (when Odoo has it)."""
        out = {}
        moves_by_xero_id = {}
        doc_events = self.filtered(lambda e: e.event_category in ("INVOICE", "CREDITNOTE"))
        if doc_events:
            moves = (
                self.env["account.move"]
                .sudo()
                .search([("xero_id", "in", doc_events.mapped("resource_id"))])
            )
            moves_by_xero_id = {m.xero_id: m for m in moves}
        links = self.env["xero.link"].sudo()
        for event in self:
            if event.event_category in ("INVOICE", "CREDITNOTE"):
                record = moves_by_xero_id.get(event.resource_id)
            elif event.event_category == "CONTACT" and event.connection_id:
                record = links._records_by_xero_id(
                    event.connection_id, "res.partner", "contact", [event.resource_id]
                ).get(event.resource_id)
            else:
                record = None
            if record:
                out[event.id] = record
        return out

    def _compute_document(self):
        documents = self._documents()
        for event in self:
            record = documents.get(event.id)
            event.document_ref = record.display_name if record else False

    def action_open_document(self):
        self.ensure_one()
        record = self._documents().get(self.id)
        if not record:
            return False
        record = record.with_env(self.env)
        record.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
        }

    _sql_constraints = [
        (
            "event_uniq",
            "unique(tenant_id, event_category, event_type, resource_id, event_date)",
            "This Xero event was already received.",
        )
    ]

    @api.model
    def _connections_for_signature(self, body, signature):
        """The connections whose webhook key signed `body` (constant-time compare).

        A signature is base64 (ASCII): anything else is a wrong signature, not an error.
        """
        if not signature or not isinstance(signature, str) or not signature.isascii():
            return self.env["xero.connection"]
        given = signature.encode("ascii")
        connections = (
            self.env["xero.connection"]
            .sudo()
            .with_context(active_test=False)
            .search([("webhook_key", "!=", False)])
        )
        return connections.filtered(
            lambda c: hmac.compare_digest(signature_of(c.webhook_key, body).encode(), given)
        )

    @api.model
    def _receive(self, body, signature):
        """Store a signed batch. Returns the HTTP status to answer: 401 when no
        connection's key signed it, 400 when the signed body is not a batch of events
        (nothing is stored), 200 otherwise."""
        signers = self._connections_for_signature(body, signature)
        if not signers:
            return 401
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            payload = None
        events = payload.get("events", []) if isinstance(payload, dict) else None
        if not isinstance(events, list):
            _logger.warning("Xero webhook: signed body is not a batch of events; refused")
            return 400
        by_tenant = {c.tenant_id: c for c in signers if c.tenant_id}
        rows = []
        for event in events:
            missing = [f for f in REQUIRED_EVENT_FIELDS if not _text(event, f)]
            if missing:
                # eventDateUtc is part of what makes an event unique: without it a
                # replay could not be told apart, so such an event is not stored.
                _logger.warning(
                    "Xero webhook: event without %s ignored", ", ".join(missing) or "fields"
                )
                continue
            tenant = event["tenantId"]
            connection = by_tenant.get(tenant)
            if not connection:
                _logger.info("Xero webhook: event for unknown organisation %s ignored", tenant)
            rows.append(
                (
                    connection.id if connection else None,
                    connection.company_id.id if connection else None,
                    tenant,
                    event["eventCategory"].upper(),
                    (_text(event, "eventType") or "").upper(),
                    event["resourceId"],
                    _text(event, "resourceUrl"),
                    event["eventDateUtc"],
                    "new" if connection else "ignored",
                    False if connection else _("No connection for this Xero organisation."),
                )
            )
        if rows:
            self._insert_new(rows)
            self.env.ref("xero_connector.ir_cron_xero_webhook_events").sudo()._trigger()
        return 200

    def _insert_new(self, rows):
        # A replayed event hits the unique constraint and is skipped, not an error.
        now = fields.Datetime.now()
        uid = self.env.uid or SUPERUSER_ID
        for row in rows:
            self.env.cr.execute(
                """
                INSERT INTO xero_webhook_event
                    (connection_id, company_id, tenant_id, event_category, event_type,
                     resource_id, resource_url, event_date, state, message,
                     create_uid, create_date, write_uid, write_date)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                ON CONFLICT (tenant_id, event_category, event_type, resource_id, event_date)
                DO NOTHING
                """,
                [*row, uid, now, uid, now],
            )

    @api.model
    def _cron_process(self):
        events = self.search([("state", "=", "new")], limit=BATCH_SIZE, order="id")
        events._process()
        if len(events) == BATCH_SIZE:
            self.env.ref("xero_connector.ir_cron_xero_webhook_events")._trigger()

    def _process(self):
        """Hand the changed Xero records to their model, once per record and connection."""
        groups = {}
        for event in self:
            key = (event.connection_id, event.event_category)
            groups.setdefault(key, self.browse())
            groups[key] |= event
        for (connection, category), events in groups.items():
            model = HANDLERS.get(category)
            handler = model and getattr(self.env[model], "_xero_on_webhook", None)
            if not handler or connection.state != "connected":
                events.write(
                    {
                        "state": "ignored",
                        "message": _("Nothing in Odoo follows %s events.", category)
                        if not handler
                        else _("The Xero connection is not active."),
                    }
                )
                continue
            try:
                with self.env.cr.savepoint():
                    handler(connection, category, sorted(set(events.mapped("resource_id"))))
            except Exception as exc:  # recorded on the events; the next batch goes on
                _logger.exception("Xero webhook processing failed")
                events.write({"state": "error", "message": str(exc)[:250]})
            else:
                events.write({"state": "done", "message": False})
