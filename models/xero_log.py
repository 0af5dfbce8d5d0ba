import logging
from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools.translate import LazyTranslate

from ..xero import mask
from .xero_words import operation_label

_lt = LazyTranslate(__name__)

# The documents of the Sync Log by the names their users know them by.
MOVE_TYPE_NAMES = {
    "in_invoice": _lt("Bill"),
    "in_refund": _lt("Vendor credit note"),
    "out_invoice": _lt("Invoice"),
    "out_refund": _lt("Credit note"),
}
MODEL_NAMES = {
    "purchase.order": _lt("Purchase order"),
    "account.move": _lt("Journal entry"),
    "account.payment": _lt("Payment"),
    "res.partner": _lt("Contact"),
    "account.account": _lt("Account"),
    "account.tax": _lt("Tax rate"),
    "product.product": _lt("Item"),
    "product.template": _lt("Item"),
    "account.analytic.plan": _lt("Tracking category"),
    "account.analytic.account": _lt("Tracking option"),
}

_logger = logging.getLogger(__name__)

OUTCOMES = {
    "ok": "success",
    "retrying": "warning",
    "rate_limited": "warning",
    "failed": "error",
    "error": "error",
}


def log_refs(records):
    """The references ``(model, id)`` the client logs calls against, for ``records``."""
    return [(record._name, record.id) for record in records]


# Documents whose calls their users may see (outcome and message, not the payloads).
DOCUMENT_MODELS = ("purchase.order", "account.move", "account.payment")


class XeroLog(models.Model):
    """One row per call to Xero (per attempt), kept for the configured retention."""

    _name = "xero.log"
    _description = "Xero Sync Log"
    _order = "id desc"
    _rec_name = "operation_label"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    connection_id = fields.Many2one(
        "xero.connection", index=True, ondelete="set null", readonly=True
    )
    operation = fields.Char(string="Operation Code", required=True, readonly=True)
    operation_label = fields.Char(
        string="Operation", compute="_compute_operation_label", store=True, readonly=True
    )
    method = fields.Char(readonly=True)
    # What was sent and received (partner data, amounts, filters naming partners) is for
    # Xero administrators only; users see the outcome of calls on their documents.
    url = fields.Char(readonly=True, groups="xero_connector.group_xero_manager")
    attempt = fields.Integer(readonly=True, aggregator="max")
    res_model = fields.Char(string="Document Model", index=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Document ID", model_field="res_model", readonly=True, aggregator=None
    )
    document_ref = fields.Char(string="Document", readonly=True)
    document_type = fields.Char(compute="_compute_document_type", store=True, readonly=True)
    outcome = fields.Selection(
        [("success", "Success"), ("warning", "Warning"), ("error", "Error")],
        required=True,
        index=True,
        readonly=True,
    )
    http_status = fields.Integer(string="HTTP Status", readonly=True, aggregator=None)
    duration_ms = fields.Integer(string="Duration (ms)", readonly=True, aggregator="avg")
    message = fields.Text(string="Xero Message", readonly=True)
    request_summary = fields.Text(readonly=True, groups="xero_connector.group_xero_manager")
    response_summary = fields.Text(readonly=True, groups="xero_connector.group_xero_manager")
    idempotency_key = fields.Char(readonly=True, groups="xero_connector.group_xero_manager")

    document_readable = fields.Boolean(
        compute="_compute_document_readable",
        search="_search_document_readable",
        help="The current user may read the document this call was made for.",
    )

    def _readable_documents(self, pairs):
        """{model: ids the current user (not superuser) may read} among ``pairs`` of
        (model, id)."""
        env = self.env(su=False)
        wanted = defaultdict(set)
        for model, res_id in pairs:
            if model in DOCUMENT_MODELS and res_id:
                wanted[model].add(res_id)
        readable = {}
        for model, ids in wanted.items():
            Model = env[model].with_context(active_test=False)
            readable[model] = (
                set(Model.search([("id", "in", list(ids))]).ids)
                if Model.has_access("read")
                else set()
            )
        return readable

    @api.depends_context("uid")
    def _compute_document_readable(self):
        readable = self._readable_documents((log.res_model, log.res_id) for log in self)
        for log in self:
            log.document_readable = log.res_id in readable.get(log.res_model, ())

    def _search_document_readable(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on the document of a Xero call."))
        self.env.cr.execute(
            "SELECT DISTINCT res_model, res_id FROM xero_log WHERE res_model IN %s",
            [DOCUMENT_MODELS],
        )
        readable = self._readable_documents(self.env.cr.fetchall())
        domain = (
            expression.OR(
                [
                    [("res_model", "=", m), ("res_id", "in", list(ids))]
                    for m, ids in readable.items()
                    if ids
                ]
            )
            or expression.FALSE_DOMAIN
        )
        return domain if (operator == "=") == value else ["!", *domain]

    @api.depends("operation")
    def _compute_operation_label(self):
        for log in self:
            log.operation_label = operation_label(self.env, log.operation)

    @api.depends("res_model", "res_id")
    def _compute_document_type(self):
        moves = self.filtered(lambda log: log.res_model == "account.move" and log.res_id)
        types = {}
        if moves:
            found = self.env["account.move"].sudo().browse(moves.mapped("res_id")).exists()
            types = dict(zip(found.ids, found.mapped("move_type"), strict=True))
        translate = self.env._
        for log in self:
            name = False
            if log.res_model == "account.move":
                name = translate(
                    MOVE_TYPE_NAMES.get(types.get(log.res_id)) or MODEL_NAMES["account.move"]
                )
            elif log.res_model in MODEL_NAMES:
                name = translate(MODEL_NAMES[log.res_model])
            elif log.res_model:
                model = self.env.get(log.res_model)
                name = model._description if model is not None else log.res_model
            log.document_type = name

    def action_open_document(self):
        self.ensure_one()
        if not self.res_model or not self.res_id:
            return False
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

    @api.model
    def _documents(self, concerns):
        """[(model, id, display name)] for the references ``(model, id)`` in ``concerns``
        (read in the caller's transaction: the records may not be committed yet)."""
        wanted = defaultdict(list)
        for ref in concerns or ():
            try:
                model, res_id = ref
            except (TypeError, ValueError):
                _logger.warning("Not a (model, id) reference for the Xero log: %r", ref)
                continue
            if model in self.env and res_id and res_id not in wanted[model]:
                wanted[model].append(res_id)
        names = {}
        for model, ids in wanted.items():
            for rec in self.env[model].sudo().with_context(active_test=False).browse(ids).exists():
                names[model, rec.id] = rec.display_name
        return [
            (model, res_id, names.get((model, res_id), False))
            for model, ids in wanted.items()
            for res_id in ids
        ]

    @api.model
    def _log_event(self, connection, event, record=None, concerns=None):
        """Write one row for a client event per record it concerns, in a cursor of its
        own so that the rows survive a rollback of the transaction that made the call.

        ``record``: a recordset, for events the addon makes itself; ``concerns``:
        references ``(model, id)`` (the client's ``event["concerns"]``). Neither: one
        row for the organisation."""
        vals = {
            "company_id": connection.company_id.id,
            "connection_id": connection.id,
            "operation": event.get("operation") or "call",
            "method": event.get("method"),
            "url": mask(event.get("url") or "")[:500],
            "attempt": event.get("attempt") or 1,
            "outcome": OUTCOMES.get(event.get("outcome"), "warning"),
            "http_status": event.get("http_status") or 0,
            "duration_ms": event.get("duration_ms") or 0,
            "message": event.get("xero_message"),
            "request_summary": mask(event.get("request") or "") or False,
            "response_summary": mask(event.get("response") or "") or False,
            "idempotency_key": event.get("idempotency_key"),
        }
        # One row per document of a batch, written together.
        refs = list(concerns or ()) + log_refs(record or ())
        vals_list = [
            dict(vals, res_model=model, res_id=res_id, document_ref=name)
            for model, res_id, name in self._documents(refs)
        ] or [vals]
        try:
            with self.env.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["xero.log"].create(vals_list)
                if event.get("min_remaining") is not None or event.get("day_remaining"):
                    try:
                        with cr.savepoint(flush=False):
                            env["xero.connection"].browse(connection.id)._record_limits(
                                event.get("min_remaining"), event.get("day_remaining")
                            )
                    except psycopg2.errors.SerializationFailure:
                        # Another worker just changed the connection (a token renewal):
                        # keep the log row; the next call reports the limits again.
                        _logger.debug("Xero rate-limit headroom not recorded this time")
        except Exception:  # the log must never break the sync it describes
            _logger.exception("Could not write the Xero sync log")

    @api.autovacuum
    def _gc_old_rows(self):
        for company in self.env["res.company"].search([]):
            days = company.xero_log_retention_days or 0
            if days <= 0:
                continue
            limit = fields.Datetime.now() - timedelta(days=days)
            self.search([("company_id", "=", company.id), ("create_date", "<", limit)]).unlink()
