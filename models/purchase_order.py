from odoo import api, models
from odoo.tools import SQL

from .xero_words import PURCHASE_ORDER_STATUS_LABELS

# Order fields whose change makes a sent purchase order differ from Xero's copy.
XERO_ORDER_FIELDS = {"partner_id", "currency_id", "date_order", "date_planned", "partner_ref"}


class PurchaseOrder(models.Model):
    _name = "purchase.order"
    _inherit = ["purchase.order", "xero.document.mixin"]

    # -- document hooks ---------------------------------------------------------------
    def _xero_type(self):
        return None

    def _xero_kind(self):
        return "purchase_orders"

    def _xero_setting(self):
        company = self.company_id
        return (
            bool(company.xero_export_purchase_order),
            company.xero_purchase_order_mode or "auto",
        )

    def _xero_is_exportable_state(self):
        return self.state in ("purchase", "done")

    def _xero_partner(self):
        return self.partner_id.commercial_partner_id

    def _xero_lines(self):
        return self.order_line.filtered(lambda line: not line.display_type)

    def _xero_status_labels(self):
        return PURCHASE_ORDER_STATUS_LABELS

    def _xero_cron_xmlid(self):
        return "xero_connector.ir_cron_xero_export_purchase_order"

    def _xero_odoo_totals(self):
        return self.amount_total, self.amount_tax

    def _xero_line_sources(self, line):
        account = self.env["account.account"]
        if line.product_id:
            accounts = line.product_id.product_tmpl_id.get_product_accounts(
                fiscal_pos=self.fiscal_position_id
            )
            account = accounts.get("expense") or account
        return account, line.taxes_id, line.product_id

    def _xero_values(self, connection):
        self.ensure_one()
        lines = self._xero_mapped_lines(connection, sales=False)
        contact = self._xero_contact_id(connection)
        return {
            "kind": "purchase_orders",
            "type": None,
            "xero_id": self.xero_id,
            "contact_id": contact,
            "date": self.date_order.date() if self.date_order else None,
            "delivery_date": self.date_planned.date() if self.date_planned else None,
            "number": self.name,
            "reference": self.partner_ref,
            "currency": self.currency_id.name,
            # Xero sets a purchase order's rate itself (it posts nothing): none is sent.
            "currency_rate": None,
            "status": self.company_id.xero_document_status,
            "lines": lines,
        }

    # -- export engine hooks -------------------------------------------------------------
    @api.model
    def _xero_kinds(self):
        return ["purchase_orders"]

    @api.model
    def _xero_kind_sql(self, kind):
        return SQL("state IN ('purchase', 'done')")

    @api.model
    def _xero_exportable_domain(self):
        return [("state", "in", ("purchase", "done"))]

    # -- Odoo events ------------------------------------------------------------------
    def button_approve(self, force=False):
        res = super().button_approve(force=force)
        self.filtered(lambda o: o.state in ("purchase", "done"))._xero_on_event()
        return res

    def button_cancel(self):
        # Odoo's own checks first: Xero is changed only for a cancel Odoo accepts. A
        # refusal from Xero (billed there) raises and rolls Odoo's cancel back.
        res = super().button_cancel()
        self._xero_cancel_in_xero()
        return res

    def write(self, vals):
        res = super().write(vals)
        if XERO_ORDER_FIELDS.intersection(vals):
            self._xero_mark_changed()
        return res
