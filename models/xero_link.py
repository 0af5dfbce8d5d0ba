from psycopg2.errors import UniqueViolation

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..xero import XeroTransientError

XERO_TYPES = [
    ("account", "Account"),
    ("tax", "Tax Rate"),
    ("tracking_category", "Tracking Category"),
    ("tracking_option", "Tracking Option"),
    ("contact", "Contact"),
    ("item", "Item"),
]


PREFETCH_KEY = "xero_connector.link_prefetch"


class XeroLink(models.Model):
    """Which Xero record an Odoo record is, in one Xero organisation.

    Master data (accounts, taxes, partners, products, analytic plans and accounts) can
    be shared by companies connected to different organisations, so the link lives per
    connection and not in a field of the shared record.
    """

    _name = "xero.link"
    _description = "Xero Link"
    _order = "connection_id, xero_type, xero_name"
    _rec_name = "xero_name"

    connection_id = fields.Many2one(
        "xero.connection", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    xero_type = fields.Selection(XERO_TYPES, required=True, index=True)
    res_model = fields.Char(string="Odoo Model", required=True, index=True)
    res_id = fields.Many2oneReference(string="Odoo Record", model_field="res_model", index=True)
    xero_id = fields.Char(
        string="Xero ID",
        required=True,
        help="Xero's id: a GUID, or the TaxType code for tax rates.",
    )
    xero_code = fields.Char(help="Account code, item code or TaxType, as Xero shows it.")
    xero_name = fields.Char()
    xero_status = fields.Char(help="Xero's status of the record (ACTIVE, ARCHIVED...).")
    xero_updated_at = fields.Datetime(help="Xero's UpdatedDateUTC at the last sync.")
    odoo_synced_at = fields.Datetime(help="When Odoo's values were last sent or applied.")
    sync_hash = fields.Char(help="Fingerprint of the synced values, to detect changes.")
    xero_applies_to = fields.Char(
        help="Tax rates: the classes of Xero accounts the rate may be used with "
        "(ASSET, EQUITY, EXPENSE, LIABILITY, REVENUE); empty: any."
    )

    _sql_constraints = [
        (
            "record_uniq",
            "unique(connection_id, res_model, res_id, xero_type)",
            "An Odoo record is linked to one Xero record per organisation.",
        ),
        (
            "xero_uniq",
            "unique(connection_id, xero_type, xero_id)",
            "A Xero record is linked to one Odoo record per organisation.",
        ),
    ]

    @api.constrains("connection_id", "res_model", "res_id")
    def _check_record_company(self):
        existing = {}
        for model in set(self.mapped("res_model")):
            ids = self.filtered(lambda x, m=model: x.res_model == m).mapped("res_id")
            existing[model] = {r.id: r for r in self.env[model].browse(ids).exists()}
        for link in self:
            record = existing[link.res_model].get(link.res_id)
            if not record:
                raise ValidationError(_("The linked Odoo record does not exist."))
            company = record.company_id if "company_id" in record._fields else False
            if company and company != link.company_id:
                raise ValidationError(
                    _(
                        "%(record)s belongs to %(company)s, not to the company of this "
                        "Xero organisation.",
                        record=record.display_name,
                        company=company.name,
                    )
                )

    @api.model
    def _find(self, connection, records, xero_type):
        """The links of `records` in `connection`'s organisation."""
        known = self.env.cr.cache.get(PREFETCH_KEY, {}).get(
            (connection.id, records._name, xero_type)
        )
        if known is not None and all(rid in known for rid in records.ids):
            return self.browse([known[rid] for rid in records.ids if known[rid]])
        return self.search(
            [
                ("connection_id", "=", connection.id),
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
                ("xero_type", "=", xero_type),
            ]
        )

    @api.model
    def _xero_ids(self, connection, records, xero_type):
        """{odoo id: xero id} for the linked `records`."""
        return {link.res_id: link.xero_id for link in self._find(connection, records, xero_type)}

    @api.model
    def _records_by_xero_id(self, connection, model, xero_type, xero_ids):
        """{xero id: Odoo record} for the Xero ids that are linked."""
        links = self.search(
            [
                ("connection_id", "=", connection.id),
                ("res_model", "=", model),
                ("xero_type", "=", xero_type),
                ("xero_id", "in", list(xero_ids)),
            ]
        )
        records = self.env[model].browse(links.mapped("res_id")).with_context(active_test=False)
        by_id = {r.id: r for r in records.exists()}
        return {link.xero_id: by_id[link.res_id] for link in links if link.res_id in by_id}

    @api.model
    def _prefetch(self, connection, records_by_type):
        """Read the links of many records at once for the batch being mapped:
        ``records_by_type`` is {xero_type: records}. Until ``_prefetch_done``, ``_find``
        answers for these records without a query (a batch of 50 documents asks for
        hundreds of account, tax, item and contact links)."""
        cache = self.env.cr.cache.setdefault(PREFETCH_KEY, {})
        for xero_type, records in records_by_type.items():
            if not records:
                continue
            known = dict.fromkeys(records.ids, False)
            links = self.search_fetch(
                [
                    ("connection_id", "=", connection.id),
                    ("res_model", "=", records._name),
                    ("res_id", "in", records.ids),
                    ("xero_type", "=", xero_type),
                ],
                ["res_id", "xero_id", "xero_code", "xero_status"],
            )
            for link in links:
                known[link.res_id] = link.id
            cache[(connection.id, records._name, xero_type)] = known

    @api.model
    def _prefetch_done(self):
        self.env.cr.cache.pop(PREFETCH_KEY, None)

    @api.model
    def _set(self, connection, record, xero_type, xero_id, **values):
        """Create or update the link of `record`; returns it."""
        record.ensure_one()
        self.env.cr.cache.get(PREFETCH_KEY, {}).pop((connection.id, record._name, xero_type), None)
        link = self._find(connection, record, xero_type)
        vals = dict(values, xero_id=xero_id)
        if link:
            link.write(vals)
            return link
        vals.update(
            connection_id=connection.id,
            res_model=record._name,
            res_id=record.id,
            xero_type=xero_type,
        )
        try:
            with self.env.cr.savepoint():
                return self.create(vals)
        except UniqueViolation as exc:
            if exc.diag.constraint_name != f"{self._table}_record_uniq":
                raise
            # Another worker linked the same record (or Xero record) and committed after
            # this transaction began: its link is invisible here until the next one.
            # Retried like a network failure: the batch goes back to the queue, nothing
            # is lost and the next attempt sees that link.
            raise XeroTransientError(
                _(
                    "%(record)s was linked to Xero by another Odoo worker at the same "
                    "moment; it is retried shortly.",
                    record=record.display_name,
                )
            ) from exc
