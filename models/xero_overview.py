from datetime import timedelta

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.tools.safe_eval import safe_eval

DOC_TYPES = [
    ("purchase_order", "Purchase Orders"),
    ("vendor_bill", "Vendor Bills"),
    ("customer_invoice", "Customer Invoices"),
    ("credit_note", "Credit Notes"),
]
# reconciliation result type -> overview card
RECON_DOC_TYPES = {
    "purchase_order": "purchase_order",
    "vendor_bill": "vendor_bill",
    "vendor_refund": "vendor_bill",
    "customer_invoice": "customer_invoice",
    "customer_refund": "credit_note",
}
MOVE_TYPES = {
    "vendor_bill": ("in_invoice", "in_refund"),
    "customer_invoice": ("out_invoice",),
    "credit_note": ("out_refund",),
}
# counter -> the documents' search filter that shows the same documents
STATE_FILTERS = {
    "not_sent": "xero_state_not_sent",
    "queued": "xero_state_queued",
    "sent": "xero_state_sent",
    "error": "xero_error",
}
STATE_GROUPS = {
    "not_sent": ("not_sent",),
    "queued": ("queued",),
    "sent": ("sent", "changed"),
    "error": ("error",),
}


class XeroOverview(models.Model):
    """Per company and document type, how many documents stand where with Xero."""

    _name = "xero.overview"
    _description = "Xero Overview"
    _auto = False
    _order = "company_id, sequence"

    company_id = fields.Many2one("res.company", readonly=True)
    connection_id = fields.Many2one("xero.connection", readonly=True)
    doc_type = fields.Selection(DOC_TYPES, string="Documents", readonly=True)
    sequence = fields.Integer(readonly=True)
    not_sent_count = fields.Integer(string="Not sent", readonly=True)
    queued_count = fields.Integer(string="Queued", readonly=True)
    sent_count = fields.Integer(string="Sent", readonly=True)
    error_count = fields.Integer(string="Errors", readonly=True)
    tenant_name = fields.Char(related="connection_id.tenant_name")
    connection_state = fields.Selection(related="connection_id.state")
    min_limit_remaining = fields.Integer(related="connection_id.min_limit_remaining")
    day_limit_remaining = fields.Integer(related="connection_id.day_limit_remaining")
    last_sync_at = fields.Datetime(related="connection_id.last_sync_at")
    export_enabled = fields.Boolean(compute="_compute_export_enabled")
    recon_id = fields.Many2one(
        "xero.reconciliation", string="Last Reconciliation", compute="_compute_recon"
    )
    recon_health = fields.Selection(
        [("ok", "Agrees with Xero"), ("danger", "Differences")], compute="_compute_recon"
    )
    recon_issue_count = fields.Integer(string="Differences", compute="_compute_recon")

    def _compute_recon(self):
        """The latest finished reconciliation of the company, and its open differences
        for the card's type of documents."""
        Run = self.env["xero.reconciliation"]
        runs = {company: Run._latest_done(company) for company in self.company_id}
        counts = {}
        if any(runs.values()):
            groups = self.env["xero.reconciliation.line"]._read_group(
                [
                    ("reconciliation_id", "in", [r.id for r in runs.values() if r]),
                    ("category", "!=", "match"),
                    ("expected", "=", False),
                ],
                ["reconciliation_id", "doc_type"],
                ["__count"],
            )
            for run, doc_type, count in groups:
                key = (run.id, RECON_DOC_TYPES.get(doc_type))
                counts[key] = counts.get(key, 0) + count  # bills and vendor refunds add up
        for row in self:
            run = runs.get(row.company_id) or Run
            row.recon_id = run
            row.recon_issue_count = counts.get((run.id, row.doc_type), 0) if run else 0
            row.recon_health = ("danger" if row.recon_issue_count else "ok") if run else False

    def action_open_reconciliation(self):
        """The latest reconciliation's differences for this type of documents."""
        self.ensure_one()
        if not self.recon_id:
            return self.env["ir.actions.act_window"]._for_xml_id(
                "xero_connector.xero_reconciliation_action"
            )
        action = self.recon_id.action_open_lines()
        # the card's type as a filter the user sees and can remove, not a hidden domain
        action["context"] = {
            "create": False,
            "search_default_filter_issues": 1,
            f"search_default_filter_doc_{self.doc_type}": 1,
        }
        return action

    @api.depends("doc_type", "company_id")
    def _compute_export_enabled(self):
        for row in self:
            row.export_enabled = bool(row.company_id[f"xero_export_{row._setting_key()}"])

    def _setting_key(self):
        return {
            "purchase_order": "purchase_order",
            "vendor_bill": "vendor_bill",
            "customer_invoice": "customer_invoice",
            "credit_note": "credit_note",
        }[self.doc_type]

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT c.id * 10 + t.sequence AS id,
                       c.id AS company_id,
                       conn.id AS connection_id,
                       t.doc_type,
                       t.sequence,
                       count(d.*) FILTER (WHERE d.xero_state = 'not_sent') AS not_sent_count,
                       count(d.*) FILTER (WHERE d.xero_state = 'queued') AS queued_count,
                       count(d.*) FILTER (WHERE d.xero_state IN ('sent', 'changed')) AS sent_count,
                       count(d.*) FILTER (WHERE d.xero_state = 'error') AS error_count
                  FROM res_company c
                 CROSS JOIN (VALUES ('purchase_order', 1), ('vendor_bill', 2),
                                    ('customer_invoice', 3), ('credit_note', 4))
                       AS t(doc_type, sequence)
                  LEFT JOIN xero_connection conn ON conn.company_id = c.id
                  LEFT JOIN (
                        SELECT company_id, 'purchase_order' AS doc_type, xero_state
                          FROM purchase_order WHERE state IN ('purchase', 'done')
                        UNION ALL
                        SELECT company_id,
                               CASE WHEN move_type IN ('in_invoice', 'in_refund')
                                        THEN 'vendor_bill'
                                    WHEN move_type = 'out_invoice' THEN 'customer_invoice'
                                    ELSE 'credit_note' END,
                               xero_state
                          FROM account_move
                         WHERE state = 'posted'
                           AND move_type IN ('in_invoice', 'in_refund', 'out_invoice',
                                             'out_refund')
                  ) d ON d.company_id = c.id AND d.doc_type = t.doc_type
                 GROUP BY c.id, conn.id, t.doc_type, t.sequence
            )
            """
        )

    # -- the documents behind a card --------------------------------------------------
    def _documents(self, states=None):
        """The documents a card counts (optionally in some Xero states), as the current
        user may read them: purchase orders or invoices of the row's company."""
        self.ensure_one()
        if self.doc_type == "purchase_order":
            model = "purchase.order"
            domain = [("state", "in", ("purchase", "done"))]
        else:
            model = "account.move"
            domain = [("state", "=", "posted"), ("move_type", "in", MOVE_TYPES[self.doc_type])]
        domain += [("company_id", "=", self.company_id.id)]
        if states:
            domain.append(("xero_state", "in", states))
        return self.env[model].search(domain)

    def action_open_documents(self):
        """The documents behind a counter (the button's context names the state), in
        their usual list, the counter's state as a filter the user sees and can remove."""
        self.ensure_one()
        state = self.env.context.get("xero_state")
        if self.doc_type == "purchase_order":
            model = "purchase.order"
            domain = [("state", "in", ("purchase", "done"))]
            list_view = "purchase.purchase_order_view_tree"
            search_view = "purchase.purchase_order_view_search"
            context = {}
        else:
            model = "account.move"
            domain = [("move_type", "in", MOVE_TYPES[self.doc_type])]
            list_view = "account.view_invoice_tree"
            search_view = "account.view_account_invoice_filter"
            context = {
                "search_default_posted": 1,
                "default_move_type": MOVE_TYPES[self.doc_type][0],
            }
        domain += [("company_id", "=", self.company_id.id)]
        if state in STATE_FILTERS:
            context[f"search_default_{STATE_FILTERS[state]}"] = 1
        context["create"] = False
        return {
            "type": "ir.actions.act_window",
            "name": dict(self._fields["doc_type"]._description_selection(self.env))[self.doc_type],
            "res_model": model,
            "view_mode": "list,form",
            "views": [(self.env.ref(list_view).id, "list"), (False, "form")],
            "search_view_id": [self.env.ref(search_view).id, "search"],
            "domain": domain,
            "context": context,
        }

    # -- bulk actions ------------------------------------------------------------------
    def _check_can_send(self):
        """The card's documents may be sent: its type goes to Xero and the company is
        connected (else every document would stop in error for the same reason)."""
        for row in self:
            if not row.export_enabled:
                raise UserError(
                    _(
                        "Sending %(type)s to Xero is off for %(company)s: turn it on in "
                        "Settings > Xero first.",
                        type=dict(DOC_TYPES)[row.doc_type],
                        company=row.company_id.name,
                    )
                )
            connection = row.company_id.sudo().xero_connection_id
            if connection.state not in ("connected", "reconnect"):
                raise UserError(
                    _(
                        "%s is not connected to Xero: connect it first (Settings > Xero).",
                        row.company_id.name,
                    )
                )

    def _send(self, states, verb):
        """Send the rows' documents in ``states`` with the documents' own button (Send to
        Xero, or Resend: its checks, its refusals); one notification says how many were
        queued."""
        self._check_can_send()
        targets = [row._documents(states) for row in self]
        targets = [docs for docs in targets if docs]
        messages = []
        for docs in targets:
            try:
                with self.env.cr.savepoint():
                    if verb == "send":
                        docs.action_xero_send()
                    else:
                        docs.action_xero_resend()
            except UserError as exc:
                if isinstance(exc, AccessError) or len(docs) > 1:
                    raise
                # the button refuses a single document that cannot go: say why
                messages.append(f"{docs.display_name}: {exc.args[0]}")
        total = sum(len(docs) for docs in targets)
        queued = sum(len(docs.filtered(lambda d: d.xero_state == "queued")) for docs in targets)
        left = total - queued
        if not targets:
            message = (
                _("No document waits to be sent.") if verb == "send" else _("No document in error.")
            )
        elif queued == 1:
            message = _("1 document queued for Xero.")
        else:
            message = _("%s documents queued for Xero.", queued)
        if left == 1:
            message += " " + _("1 could not be sent: see its Xero error.")
        elif left:
            message += " " + _("%s could not be sent: see their Xero error.", left)
        if messages:
            message += "\n" + "\n".join(messages)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Xero"),
                "message": message,
                "type": "warning" if left else ("success" if queued else "info"),
                "sticky": bool(left),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_send_not_sent(self):
        """Send the card's documents not sent yet, as their Send to Xero button does."""
        return self._send(STATE_GROUPS["not_sent"], "send")

    def action_resend_errors(self):
        """Send again the card's documents in error, as their Resend button does."""
        return self._send(STATE_GROUPS["error"], "resend")

    @api.model
    def _company_rows(self):
        """The current company's cards whose type of documents goes to Xero."""
        rows = self.search([("company_id", "=", self.env.company.id)])
        return rows.filtered("export_enabled")

    @api.model
    def action_send_all_not_sent(self):
        rows = self._company_rows()
        if not rows:
            raise UserError(_("No type of document is sent to Xero (Settings > Xero)."))
        return rows.action_send_not_sent()

    @api.model
    def action_resend_all_errors(self):
        rows = self._company_rows()
        if not rows:
            raise UserError(_("No type of document is sent to Xero (Settings > Xero)."))
        return rows.action_resend_errors()

    # -- the block above the cards ---------------------------------------------------
    @api.model
    def _onboarding_steps(self, company=None):
        """The steps a new administrator goes through, each done or not, from the data:
        connected, tax rates and accounts linked, a type of documents sent, a first
        document in Xero."""
        company = company or self.env.company
        connection = company.sudo().xero_connection_id
        connected = connection.state == "connected"
        Link = self.env["xero.link"].sudo()
        linked = {
            kind: bool(
                connection
                and Link.search_count(
                    [("connection_id", "=", connection.id), ("xero_type", "=", kind)], limit=1
                )
            )
            for kind in ("tax", "account")
        }
        enabled = any(company[f"xero_export_{key}"] for key, _label in DOC_TYPES)
        sent = any(
            self.env[model]
            .sudo()
            .search_count([("company_id", "=", company.id), ("xero_id", "!=", False)], limit=1)
            for model in ("purchase.order", "account.move")
        )
        return [
            {
                "key": "connect",
                "title": _("Connect to Xero"),
                "help": _("Sign in to Xero and choose the organisation."),
                "done": connected,
                "buttons": [{"name": "action_open_settings", "label": _("Open Xero settings")}],
            },
            {
                "key": "mapping",
                "title": _("Import tax rates and accounts"),
                "help": _("Link Odoo's taxes and accounts to Xero's, so lines can be sent."),
                "done": linked["tax"] and linked["account"],
                "buttons": [
                    {
                        "name": "action_import_taxes",
                        "label": _("Import tax rates"),
                        "done": linked["tax"],
                    },
                    {
                        "name": "action_import_accounts",
                        "label": _("Import accounts"),
                        "done": linked["account"],
                    },
                ],
                "blocked": not connected,
            },
            {
                "key": "documents",
                "title": _("Choose the documents to send"),
                "help": _("Purchase orders, bills, invoices, credit notes: in Settings."),
                "done": enabled,
                "buttons": [{"name": "action_choose_documents", "label": _("Choose in Settings")}],
            },
            {
                "key": "send",
                "title": _("Send a first document"),
                "help": _("Open a document not sent yet and send it to Xero."),
                "done": sent,
                "buttons": [
                    {"name": "action_open_first_documents", "label": _("Documents to send")}
                ],
                "blocked": not (connected and enabled),
            },
        ]

    @api.model
    def get_overview_panel(self):
        """What the Overview shows above and below the cards: the onboarding checklist
        (until done), one line per organisation, the last 30 days' sends."""
        steps = self._onboarding_steps()
        connections = []
        companies = self.env.company | self.env.companies.sorted(lambda c: c != self.env.company)
        for company in companies:
            connection = company.sudo().xero_connection_id
            connections.append(
                {
                    "company": company.name,
                    "tenant": connection.tenant_name or "",
                    "state": connection.state or "",
                    "state_label": dict(
                        connection._fields["state"]._description_selection(self.env)
                    ).get(connection.state, _("Not set up")),
                    "connected": connection.state == "connected",
                    "limits_known": bool(connection.limits_seen_on),
                    "min_left": connection.min_limit_remaining,
                    "day_left": connection.day_limit_remaining,
                    "last_call": connection.last_sync_at
                    and fields.Datetime.to_string(connection.last_sync_at),
                }
            )
        Day = self.env["xero.overview.day"]
        since = fields.Date.context_today(self) - timedelta(days=29)
        counts = dict(
            Day._read_group(
                [("sent_at", ">=", since), ("company_id", "in", self.env.companies.ids)],
                ["outcome"],
                ["__count"],
            )
        )
        rows = self._company_rows()
        return {
            "steps": steps,
            "onboarding_done": all(step["done"] for step in steps),
            "can_send": self.env.company.sudo().xero_connection_id.state
            in ("connected", "reconnect"),
            "connections": connections,
            "multi_company": len(self.env.companies) > 1,
            "sent_30d": counts.get("sent", 0),
            "errors_30d": counts.get("error", 0),
            "not_sent": sum(rows.mapped("not_sent_count")),
            "errors": sum(rows.mapped("error_count")),
        }

    @api.model
    def _settings_action(self, anchor):
        """Settings, on the Xero block's setting ``anchor`` (where Settings scroll to)."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "xero_connector.xero_settings_action"
        )
        context = safe_eval(action.get("context") or "{}")
        action["context"] = dict(context, xero_settings_anchor=anchor)
        return action

    @api.model
    def action_open_settings(self):
        return self._settings_action("xero_connection_setting")

    @api.model
    def action_choose_documents(self):
        return self._settings_action("xero_documents_setting")

    @api.model
    def _import_action(self, object_type):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "xero_connector.xero_import_wizard_action"
        )
        action["context"] = {"default_object_type": object_type}
        return action

    @api.model
    def action_import_taxes(self):
        return self._import_action("tax")

    @api.model
    def action_import_accounts(self):
        return self._import_action("account")

    @api.model
    def action_open_first_documents(self):
        """The not-sent documents of the first type that goes to Xero."""
        rows = self._company_rows()
        row = rows.filtered("not_sent_count")[:1] or rows[:1]
        if not row:
            return self.action_open_settings()
        return row.with_context(xero_state="not_sent").action_open_documents()

    @api.model
    def action_open_activity(self):
        """Documents sent and refused per day, the last 30 days, as a chart."""
        return self.env["ir.actions.act_window"]._for_xml_id(
            "xero_connector.xero_overview_day_action"
        )
