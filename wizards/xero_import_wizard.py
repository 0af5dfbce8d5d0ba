from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from ..models.xero_import_base import PAGE_SIZE
from ..models.xero_sync_state import OBJECT_TYPES
from ..xero import XeroError

ANALYTIC_GROUP = "analytic.group_analytic_accounting"


class XeroImportWizard(models.TransientModel):
    """Choose Xero master data to bring into Odoo: list it 100 at a time (searching in
    Xero), see what is already integrated and what it matches, import the selection.

    "Load more" state lives on the wizard: ``offset`` is how many Xero records are
    listed; the next call asks Xero for the records after them."""

    _name = "xero.import.wizard"
    _description = "Import from Xero"

    connection_id = fields.Many2one(
        "xero.connection",
        required=True,
        default=lambda self: self.env.company.xero_connection_id,
        domain="[('company_id', 'in', allowed_company_ids)]",
    )
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    object_type = fields.Selection(
        OBJECT_TYPES, string="What to import", required=True, default="account"
    )
    search = fields.Char(help="Sent to Xero, which searches by name (and code).")
    offset = fields.Integer(readonly=True)
    total = fields.Integer(readonly=True, help="How many records Xero has for this search.")
    has_more = fields.Boolean(readonly=True)
    listed_type = fields.Char(readonly=True)
    line_ids = fields.One2many("xero.import.wizard.line", "wizard_id")
    line_count = fields.Integer(compute="_compute_line_count")
    result = fields.Text(readonly=True)
    sync_state_id = fields.Many2one("xero.sync.state", compute="_compute_sync_state_id")
    import_pending = fields.Boolean(related="sync_state_id.import_pending")
    import_done = fields.Integer(related="sync_state_id.import_done")
    import_offset = fields.Integer(related="sync_state_id.import_offset")
    import_total = fields.Integer(related="sync_state_id.import_total")
    last_sync_at = fields.Datetime(related="sync_state_id.last_sync_at")
    needs_analytic = fields.Boolean(
        compute="_compute_needs_analytic",
        help="Tracking categories become analytic plans, which Odoo shows only to users "
        "with Analytic Accounting.",
    )

    @api.depends("object_type")
    def _compute_needs_analytic(self):
        missing = not self.env["account.analytic.plan"].has_access("read")
        for wizard in self:
            wizard.needs_analytic = missing and wizard.object_type == "tracking"

    @api.onchange("object_type", "connection_id")
    def _onchange_object_type(self):
        """Another type or organisation: the listed records are not what Import would
        act on any more."""
        self.line_ids = [Command.clear()]
        self.update(
            {"listed_type": False, "offset": 0, "total": 0, "has_more": False, "result": False}
        )

    @api.depends("line_ids")
    def _compute_line_count(self):
        for wizard in self:
            wizard.line_count = len(wizard.line_ids)

    @api.depends("connection_id", "object_type")
    def _compute_sync_state_id(self):
        states = self.env["xero.sync.state"].sudo()
        for wizard in self:
            wizard.sync_state_id = states.search(
                [
                    ("connection_id", "=", wizard.connection_id.id),
                    ("object_type", "=", wizard.object_type),
                ],
                limit=1,
            )

    def _importer(self):
        return self.env["xero.import.base"]._importer(self.object_type)

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "name": _("Import from Xero"),
            "view_mode": "form",
            "target": "new",
            "context": self.env.context,
        }

    def _check(self):
        self.ensure_one()
        self.connection_id._check_admin()
        return self.connection_id._client("interactive")

    def _check_analytic(self):
        if self.object_type == "tracking" and self.needs_analytic:
            raise UserError(
                _(
                    "Tracking categories become analytic plans in Odoo: turn on Analytic "
                    "Accounting first (the button above does it)."
                )
            )

    def _load(self, offset):
        client = self._check()
        self._check_analytic()
        try:
            records, has_more, total = self._importer()._fetch(
                client, self.search or None, offset, PAGE_SIZE
            )
        except XeroError as exc:
            raise UserError(_("Xero could not be read: %s", exc.user_message())) from exc
        lines = self._importer()._describe(self.connection_id, records)
        self.write(
            {
                "offset": offset + len(records),
                "has_more": has_more,
                "total": total or 0,
                "listed_type": self.object_type,
                "line_ids": [(0, 0, line) for line in lines],
            }
        )

    def action_search(self):
        """List the first 100 Xero records of the type (matching the search)."""
        self.ensure_one()
        self.write({"line_ids": [(5, 0, 0)], "result": False})
        self._load(0)
        return self._reopen()

    def action_load_more(self):
        self.ensure_one()
        if self.listed_type != self.object_type:
            return self.action_search()
        self._load(self.offset)
        return self._reopen()

    def action_enable_analytic(self):
        """Turn on Analytic Accounting for every internal user, as the Accounting setting
        of that name does, so that tracking categories can become analytic plans."""
        self.ensure_one()
        if not self.env.user.has_group("base.group_system"):
            raise UserError(
                _(
                    "Only an administrator can turn on Analytic Accounting "
                    "(Accounting > Configuration > Settings > Analytics)."
                )
            )
        group = self.env.ref(ANALYTIC_GROUP)
        self.env.ref("base.group_user").sudo()._apply_group(group)
        self.env.registry.clear_cache("groups")
        self.env.invalidate_all()
        self.invalidate_recordset(["needs_analytic"])
        return self._reopen()

    def action_select_all(self):
        self.line_ids.filtered("importable").write({"selected": True})
        return self._reopen()

    def action_select_none(self):
        self.line_ids.write({"selected": False})
        return self._reopen()

    def action_import(self):
        """Import the selected lines; importing again updates and links, never duplicates."""
        self._check()
        if not self.listed_type or self.listed_type != self.object_type:
            raise UserError(_("List the records from Xero first, then choose what to import."))
        self._check_analytic()
        lines = self.line_ids.filtered(lambda line: line.selected and line.importable)
        if not lines:
            raise UserError(_("Select the Xero records to import first."))
        importer = self.env["xero.import.base"]._importer(self.listed_type)
        counts, errors = importer._import(self.connection_id, [line.payload for line in lines])
        self.env["xero.sync.state"]._activate_update_cron()
        # show what is integrated now
        fresh = importer._describe(self.connection_id, [line.payload for line in self.line_ids])
        for line, values in zip(self.line_ids, fresh, strict=True):
            line.write(dict(values, selected=False))
        message = importer._message(counts) or _("Nothing imported")
        if errors:
            message += "\n" + _("Not imported:") + "\n" + "\n".join(errors)
        self.result = message
        return self._reopen()

    def action_import_all(self):
        """Queue the import of every Xero record of the type (matching the search) in
        the background: batches in their own transactions, progress shown here."""
        self._check()
        self._check_analytic()
        state = self.env["xero.sync.state"]._get(self.connection_id, self.object_type)
        if state.import_pending:
            raise UserError(_("An import of this type is already running."))
        state._queue_import(self.search, self.total)
        self.result = _("The import runs in the background; reopen this wizard to follow it.")
        return self._reopen()

    def action_update(self):
        self._check()
        action = self.env["xero.sync.state"].action_update_from_xero()
        self.result = action["params"]["message"]
        return self._reopen()
