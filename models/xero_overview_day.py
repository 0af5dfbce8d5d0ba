from odoo import fields, models, tools

from .xero_overview import DOC_TYPES

# The calls that create or update a document in Xero (xero/endpoints.py send_batch).
SEND_OPERATIONS = tuple(
    f"{verb}_{kind}"
    for verb in ("create", "save")
    for kind in ("invoices", "credit_notes", "purchase_orders")
)


class XeroOverviewDay(models.Model):
    """Per day, each document that reached Xero or was refused, once: by how its last
    send of the day ended (read from the Sync Log). Drawn as a chart of documents sent
    and errors per day."""

    _name = "xero.overview.day"
    _description = "Xero Documents Sent per Day"
    _auto = False
    _order = "sent_at desc, id desc"
    _rec_name = "document_ref"

    date = fields.Date(
        string="Day (UTC)", readonly=True, help="A document counts once per day (UTC)."
    )
    sent_at = fields.Datetime(
        string="When", readonly=True, help="The document's last send of the day."
    )
    company_id = fields.Many2one("res.company", readonly=True)
    connection_id = fields.Many2one("xero.connection", string="Xero Organisation", readonly=True)
    doc_type = fields.Selection(DOC_TYPES, string="Documents", readonly=True)
    outcome = fields.Selection(
        [("sent", "Sent"), ("error", "Error")],
        readonly=True,
        help="Sent: the document reached Xero. Error: it was refused (by Xero or by Odoo "
        "before sending) or the send failed.",
    )
    res_model = fields.Char(string="Document Model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Document ID", model_field="res_model", readonly=True, aggregator=None
    )
    document_ref = fields.Char(string="Document", readonly=True)
    message = fields.Text(string="Xero Message", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT DISTINCT ON (l.create_date::date, l.res_model, l.res_id)
                       l.id,
                       l.create_date::date AS date,
                       l.create_date AS sent_at,
                       l.company_id,
                       l.connection_id,
                       CASE WHEN l.res_model = 'purchase.order' THEN 'purchase_order'
                            WHEN m.move_type IN ('in_invoice', 'in_refund') THEN 'vendor_bill'
                            WHEN m.move_type = 'out_invoice' THEN 'customer_invoice'
                            WHEN m.move_type = 'out_refund' THEN 'credit_note'
                       END AS doc_type,
                       CASE WHEN l.outcome = 'error' THEN 'error' ELSE 'sent' END AS outcome,
                       l.res_model,
                       l.res_id,
                       l.document_ref,
                       l.message
                  FROM xero_log l
                  LEFT JOIN account_move m ON l.res_model = 'account.move' AND m.id = l.res_id
                 WHERE l.res_model IN ('purchase.order', 'account.move')
                   AND l.res_id IS NOT NULL
                   AND ((l.outcome = 'success' AND l.operation IN %(send)s)
                        OR (l.outcome = 'error'
                            AND l.operation IN %(failed)s))
                 ORDER BY l.create_date::date, l.res_model, l.res_id, l.id DESC
            )
            """,
            {"send": SEND_OPERATIONS, "failed": (*SEND_OPERATIONS, "refused", "unreadable")},
        )
