import logging
from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from ..xero import mask

_logger = logging.getLogger(__name__)

OUTCOMES = {
    "ok": "success",
    "retrying": "warning",
    "rate_limited": "warning",
    "failed": "error",
    "error": "error",
}


# Documents whose calls their users may see (outcome and message, not the payloads).
DOCUMENT_MODELS = ("purchase.order", "account.move", "account.payment")


class XeroLog(models.Model):
    """One row per call to Xero (per attempt), kept for the configured retention."""

    _name = "xero.log"
    _description = "Xero Sync Log"
    _order = "id desc"
    _rec_name = "operation"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    connection_id = fields.Many2one(
        "xero.connection", index=True, ondelete="set null", readonly=True
    )
    operation = fields.Char(required=True, readonly=True)
    method = fields.Char(readonly=True)
    # What was sent and received (partner data, amounts, filters naming partners) is for
    # Xero administrators only; users see the outcome of calls on their documents.
    url = fields.Char(readonly=True, groups="xero_connector.group_xero_manager")
    attempt = fields.Integer(readonly=True)
    res_model = fields.Char(string="Document Model", index=True, readonly=True)
    res_id = fields.Many2oneReference(string="Document ID", model_field="res_model", readonly=True)
    document_ref = fields.Char(string="Document", readonly=True)
    outcome = fields.Selection(
        [("success", "Success"), ("warning", "Warning"), ("error", "Error")],
        required=True,
        index=True,
        readonly=True,
    )
    http_status = fields.Integer(string="HTTP Status", readonly=True)
    duration_ms = fields.Integer(string="Duration (ms)", readonly=True)
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
    def _log_event(self, connection, event, record=None):
        """Write one row for a client event (one per record of ``record``, a recordset
        of any size), in a cursor of its own so that the rows survive a rollback of the
        transaction that made the call."""
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
        vals_list = [
            dict(vals, res_model=rec._name, res_id=rec.id, document_ref=rec.display_name)
            for rec in record or ()
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
