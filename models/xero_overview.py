from odoo import _, api, fields, models, tools

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
                counts[(run.id, RECON_DOC_TYPES.get(doc_type))] = count
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
        doc_types = [k for k, v in RECON_DOC_TYPES.items() if v == self.doc_type]
        action["domain"] += [("doc_type", "in", doc_types)]
        action["context"] = {"create": False, "search_default_filter_issues": 1}
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

    def action_open_documents(self):
        """The documents behind a counter (the button's context names the state)."""
        self.ensure_one()
        states = STATE_GROUPS.get(self.env.context.get("xero_state"), ())
        if self.doc_type == "purchase_order":
            model, domain = "purchase.order", [("state", "in", ("purchase", "done"))]
            name = _("Purchase Orders")
        else:
            model = "account.move"
            move_types = {
                "vendor_bill": ("in_invoice", "in_refund"),
                "customer_invoice": ("out_invoice",),
                "credit_note": ("out_refund",),
            }[self.doc_type]
            domain = [("state", "=", "posted"), ("move_type", "in", move_types)]
            name = dict(DOC_TYPES)[self.doc_type]
        domain += [("company_id", "=", self.company_id.id)]
        if states:
            domain.append(("xero_state", "in", states))
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": domain,
            "context": {"create": False},
        }
