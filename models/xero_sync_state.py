import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..xero import XeroError, XeroRateLimited

_logger = logging.getLogger(__name__)

OBJECT_TYPES = [
    ("account", "Chart of Accounts"),
    ("tax", "Tax Rates"),
    ("tracking", "Tracking Categories"),
    ("contact", "Suppliers"),
    ("item", "Items"),
]
# Read by the payment sync since their cursor; nothing is imported for them.
CURSOR_TYPES = [
    ("payments", "Payments"),
    ("invoices", "Invoice and Bill Statuses"),
    ("credit_notes", "Credit Note Statuses"),
]


class XeroSyncState(models.Model):
    """Per organisation and object type: where Odoo has read Xero up to (the cursor:
    Xero's newest UpdatedDateUTC seen, sent back as If-Modified-Since), the last
    successful Update and the background import queued from the import wizard.

    Every "read changes since" of the addon keeps its cursor here, through ``_cursor``
    and ``_advance``: the master data Updates and the payment sync alike."""

    _name = "xero.sync.state"
    _description = "Xero Sync State"
    _order = "connection_id, object_type"
    _rec_name = "object_type"

    connection_id = fields.Many2one(
        "xero.connection", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    object_type = fields.Selection(OBJECT_TYPES + CURSOR_TYPES, required=True)
    last_sync_at = fields.Datetime(
        string="Last Successful Update", readonly=True, help="When the last Update finished."
    )
    modified_since = fields.Datetime(
        readonly=True,
        help="Xero's newest UpdatedDateUTC read so far: the next read asks Xero only for "
        "records changed after it (If-Modified-Since).",
    )
    last_result = fields.Char(readonly=True)
    import_pending = fields.Boolean(readonly=True, help="A background import is queued.")
    import_search = fields.Char(readonly=True)
    import_offset = fields.Integer(readonly=True, help="Xero records already read.")
    import_done = fields.Integer(readonly=True)
    import_total = fields.Integer(readonly=True)
    import_errors = fields.Text(readonly=True)

    _sql_constraints = [
        (
            "type_uniq",
            "unique(connection_id, object_type)",
            "One sync state per organisation and object type.",
        ),
    ]

    @api.model
    def _get(self, connection, object_type):
        state = self.sudo().search(
            [("connection_id", "=", connection.id), ("object_type", "=", object_type)], limit=1
        )
        return state or self.sudo().create(
            {"connection_id": connection.id, "object_type": object_type}
        )

    # -- the cursor ---------------------------------------------------------------------
    @api.model
    def _cursor(self, connection, object_type):
        """Xero's newest change time read so far for ``object_type`` of ``connection``
        (naive UTC), or None when nothing was read yet."""
        state = self.sudo().search(
            [("connection_id", "=", connection.id), ("object_type", "=", object_type)], limit=1
        )
        return state.modified_since or None

    @api.model
    def _advance(self, connection, object_type, value):
        """Move the cursor of ``object_type`` forward to ``value`` (never back)."""
        if value:
            self._get(connection, object_type)._advance_to(value)

    def _advance_to(self, value, **vals):
        self.ensure_one()
        if value and (not self.modified_since or value > self.modified_since):
            vals["modified_since"] = value
        if vals:
            self.sudo().write(vals)

    def _done_update(self, watermark=None):
        """Remember a successful Update (and Xero's newest change time seen)."""
        self._advance_to(watermark, last_sync_at=fields.Datetime.now())

    # -- Update ------------------------------------------------------------------------
    @api.model
    def _run_update(self, connection, object_types=None):
        """Pull Xero's changes for every object type (or ``object_types``) of
        ``connection``; returns {object type: counts}. Types with nothing integrated in
        this organisation are skipped (Update never imports what was not chosen)."""
        client = connection._client("batch")
        linked_types = set(
            self.env["xero.link"]
            .sudo()
            ._read_group([("connection_id", "=", connection.id)], ["xero_type"], ["__count"])
        )
        linked_types = {xero_type for xero_type, _count in linked_types}
        results = {}
        importers = self.env["xero.import.base"]
        for object_type, _label in OBJECT_TYPES:
            if object_types and object_type not in object_types:
                continue
            importer = importers._importer(object_type)
            if importer._xero_type not in linked_types:
                continue
            state = self._get(connection, object_type)
            counts = importer._update(connection, client, state)
            if object_type == "contact":
                # Odoo's edits that won (or met no Xero change) go out after the pull,
                # by the queue (its worker commits each batch with Xero's answer)
                self.env["xero.contact.sync"].sudo()._xero_outbox_trigger()
            state.sudo().write({"last_result": importer._message(counts) or _("Nothing to update")})
            results[object_type] = counts
        return results

    @api.model
    def _update_message(self, results):
        labels = dict(OBJECT_TYPES)
        parts = []
        for object_type, counts in results.items():
            text = self.env["xero.import.base"]._message(counts)
            if text:
                parts.append(f"{labels[object_type]}: {text}")
        return "; ".join(parts) or _("Nothing to update")

    @api.model
    def action_update_from_xero(self):
        """Menu and wizard button: Update the current company from its Xero organisation."""
        connection = self.env.company.xero_connection_id
        if not connection:
            raise UserError(_("This company has no Xero connection."))
        connection._check_admin()
        self._activate_update_cron()
        try:
            results = self._run_update(connection)
        except XeroError as exc:
            raise UserError(_("Update from Xero failed: %s", exc.user_message())) from exc
        return connection._notify(self._update_message(results))

    @api.model
    def _activate_update_cron(self):
        """The scheduled Update ships inactive and is switched on by the first import or
        Update of a connected company (it skips companies that are not connected)."""
        cron = self.env.ref("xero_connector.ir_cron_xero_update", raise_if_not_found=False)
        if cron and not cron.sudo().active:
            cron.sudo().active = True
            self.env["res.company"]._xero_apply_sync_interval()

    @api.model
    def _cron_xero_update(self):
        """Scheduled Update: every connected organisation, one after the other."""
        connections = self.env["xero.connection"].sudo().search([("state", "=", "connected")])
        for connection in connections:
            try:
                # company-dependent values are read and written in the connection's company
                results = self.with_company(connection.company_id)._run_update(connection)
            except (XeroError, UserError) as exc:
                message = exc.user_message() if isinstance(exc, XeroError) else str(exc)
                _logger.warning("Xero update of %s failed: %s", connection.name, message)
                continue
            _logger.info("Xero update of %s: %s", connection.name, self._update_message(results))

    # -- background queue: contact pushes and big imports -------------------------------
    def _queue_import(self, search=None, total=0):
        self.ensure_one()
        self.sudo().write(
            {
                "import_pending": True,
                "import_search": search or False,
                "import_offset": 0,
                "import_done": 0,
                "import_total": total or 0,
                "import_errors": False,
            }
        )
        self._activate_update_cron()
        self.env.ref("xero_connector.ir_cron_xero_queue").sudo()._trigger()

    def _import_next_batch(self, client=None):
        """Import the next batch of a queued import; returns the records handled."""
        self.ensure_one()
        connection = self.connection_id
        importer = self.env["xero.import.base"]._importer(self.object_type)
        client = client or connection._client("batch")
        records, has_more, total = importer._fetch(
            client, self.import_search or None, self.import_offset, importer._queue_batch
        )
        counts, errors = importer._import(connection, records)
        vals = {
            "import_offset": self.import_offset + len(records),
            "import_done": self.import_done + sum(counts.values()),
            "import_pending": bool(has_more and records),
        }
        if total:
            vals["import_total"] = total
        if errors:
            vals["import_errors"] = "\n".join(filter(None, [self.import_errors, *errors]))[-20000:]
        self.sudo().write(vals)
        return len(records)

    @api.model
    def _cron_xero_queue(self):
        """Triggered: send edited contacts to Xero (50 per call), then one batch of each
        queued import. Reports progress so that Odoo runs it again at once while work
        remains (each run is its own transaction)."""
        done = 0
        retry_at = []  # Xero's rate limit: run again when it allows, not at the next tick
        connections = self.env["xero.connection"].sudo().search([("state", "=", "connected")])
        # Edited contacts, on the outbox engine (it commits after each claim and answer,
        # and reschedules itself when Xero asks to wait).
        contact = self.env["xero.contact.sync"]
        done += contact._xero_outbox_run()
        states = self.sudo().search(
            [("import_pending", "=", True), ("connection_id", "in", connections.ids)]
        )
        for state in states:
            try:
                done += state.with_company(state.connection_id.company_id)._import_next_batch()
            except XeroRateLimited as exc:
                retry_at.append(exc.retry_at)
            except XeroError as exc:
                _logger.warning("Xero import of %s failed: %s", state.object_type, exc)
        remaining = sum(
            max(s.import_total - s.import_offset, 1) for s in states if s.import_pending
        ) + sum(contact._pending_count(c) for c in connections)
        if retry_at:
            when = min(retry_at).replace(tzinfo=None)
            self.env.ref("xero_connector.ir_cron_xero_queue").sudo()._trigger(at=when)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining if done else 0)
