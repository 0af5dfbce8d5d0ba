from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import formatLang
from odoo.tools.translate import LazyTranslate

from ..models.xero_connection import _CURRENCIES
from ..models.xero_document_mixin import APPROVED_RULE
from ..models.xero_words import RECORD_STATUS_LABELS, label
from ..xero.mapping import documents as mapping

_lt = LazyTranslate(__name__)

PREVIEW_MODELS = ("account.move", "purchase.order")
TYPE_LABELS = {
    "ACCPAY": _lt("Bill"),
    "ACCREC": _lt("Sales invoice"),
    "ACCPAYCREDIT": _lt("Credit note from a supplier"),
    "ACCRECCREDIT": _lt("Credit note to a customer"),
    "PO": _lt("Purchase order"),
}
# The untaxed rates Odoo picks for lines without tax, as Xero names them.
UNTAXED_LABELS = {
    "NONE": _lt("No tax"),
    "EXEMPTEXPENSES": _lt("GST Free Expenses"),
    "EXEMPTOUTPUT": _lt("GST Free Income"),
    "BASEXCLUDED": _lt("BAS Excluded"),
}


class XeroDocumentPreview(models.TransientModel):
    """What Send to Xero would send for one document, built by the send's own mapping
    (``mapping.document_payload(doc._xero_values(connection))``) and refusals
    (``doc._xero_refusals()``), plus the refusals Odoo knows from what it stored (a
    contact archived in Xero, a currency Xero was seen without, a document approved or
    voided in Xero). Nothing is sent to Xero and nothing is read from it."""

    _name = "xero.document.preview"
    _description = "Preview for Xero"

    res_model = fields.Char(string="Document Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Document ID", model_field="res_model", required=True, readonly=True
    )
    document_name = fields.Char(string="Document", readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    connection_id = fields.Many2one("xero.connection", readonly=True)
    organisation = fields.Char(string="Xero Organisation", readonly=True)
    operation = fields.Selection(
        [("create", "Creates a new Xero document"), ("update", "Updates the Xero document")],
        string="Sending",
        readonly=True,
    )
    xero_number = fields.Char(string="Xero Document", readonly=True)
    xero_status_now = fields.Char(
        string="Status in Xero Now", readonly=True, help="As Odoo last saw it."
    )
    document_type = fields.Char(string="Sent As", readonly=True)
    send_status = fields.Char(
        string="Status in Xero",
        readonly=True,
        help="The status the document is sent in (Settings > Xero).",
    )
    contact_name = fields.Char(string="Contact", readonly=True)
    contact_state = fields.Selection(
        [
            ("linked", "Linked to a Xero contact"),
            ("match", "Not linked yet: matched or created when sent"),
            ("archived", "Archived in Xero"),
            ("none", "No contact"),
        ],
        readonly=True,
    )
    contact_xero_name = fields.Char(string="Xero Contact", readonly=True)
    number = fields.Char(readonly=True, help="The number Xero shows for the document.")
    reference = fields.Char(readonly=True)
    date = fields.Date(readonly=True)
    due_date = fields.Date(readonly=True)
    delivery_date = fields.Date(readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    currency_rate = fields.Float(
        digits=(16, 6),
        readonly=True,
        help="Document currency per unit of the organisation's base currency; "
        "empty: Xero applies its own rate of the day.",
    )
    amounts_are = fields.Selection(
        [("Exclusive", "Tax exclusive"), ("Inclusive", "Tax inclusive")],
        string="Amounts Are",
        readonly=True,
    )
    line_ids = fields.One2many("xero.document.preview.line", "preview_id", readonly=True)
    subtotal = fields.Monetary(readonly=True)
    tax = fields.Monetary(readonly=True)
    total = fields.Monetary(readonly=True)
    odoo_total = fields.Monetary(string="Odoo's Total", readonly=True)
    rounding = fields.Monetary(
        readonly=True, help="The rounding line the company's rounding account adds."
    )
    totals_note = fields.Char(readonly=True)
    refusals = fields.Text(readonly=True)
    refusal_count = fields.Integer(readonly=True)

    # -- opening ---------------------------------------------------------------------------
    @api.model
    def _open_for(self, doc):
        doc.ensure_one()
        preview = self.create({"res_model": doc._name, "res_id": doc.id})
        return {
            "type": "ir.actions.act_window",
            "name": _("Preview for Xero: %s", doc.display_name),
            "res_model": self._name,
            "res_id": preview.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"dialog_size": "extra-large"},
        }

    @api.model_create_multi
    def create(self, vals_list):
        """A preview is built from its document, which the user must be able to read."""
        self.browse().check_access("create")
        ready = []
        for vals in vals_list:
            doc = self._document(vals.get("res_model"), vals.get("res_id"))
            ready.append(self._values_for(doc))
        return super().create(ready)

    @api.model
    def _document(self, res_model, res_id):
        if res_model not in PREVIEW_MODELS:
            raise UserError(_("Only purchase orders, invoices, bills and credit notes go to Xero."))
        doc = self.env[res_model].browse(res_id).exists()
        if not doc:
            raise UserError(_("The document to preview no longer exists."))
        doc.check_access("read")
        return doc

    # -- building --------------------------------------------------------------------------
    @api.model
    def _values_for(self, doc):
        company = doc.company_id
        doc = doc.with_company(company)
        connection = company.sudo().xero_connection_id
        refusals = self._refusals(doc, connection)
        values = doc.with_context(xero_preview_lines=True)._xero_values(connection)
        payload, lat, items = self._payload(values)
        xero_type = values.get("type")
        statuses = doc._xero_status_labels()
        contact = self._contact(doc, connection)
        if contact["state"] == "archived":
            refusals.append(self.env["res.partner"]._xero_archived_message(contact["id"]))
        vals = {
            "res_model": doc._name,
            "res_id": doc.id,
            "document_name": doc.display_name,
            "company_id": company.id,
            "connection_id": connection.id,
            "organisation": connection.tenant_name or False,
            "operation": "update" if doc.xero_id else "create",
            "xero_number": doc.xero_number or doc.xero_id or False,
            "xero_status_now": (doc.xero_id and doc.xero_status_label) or False,
            "document_type": label(self.env, TYPE_LABELS, xero_type or "PO"),
            "send_status": label(self.env, statuses, payload.get("Status")),
            "contact_name": contact["name"],
            "contact_state": contact["state"],
            "contact_xero_name": contact["xero_name"],
            "number": payload.get(mapping.NUMBER_FIELD[values["kind"]]) or False,
            "reference": payload.get("Reference") or False,
            "date": values.get("date") or False,
            "due_date": payload.get("DueDate") or False,
            "delivery_date": payload.get("DeliveryDate") or False,
            "currency_id": doc.currency_id.id,
            "currency_rate": payload.get("CurrencyRate") or 0.0,
            "amounts_are": lat,
            "odoo_total": doc._xero_odoo_totals()[0],
        }
        refusals += self._currency_refusal(doc, connection)
        lines, line_problems = self._lines(connection, values, items, lat)
        vals.update(lines)
        refusals += line_problems
        total, rounded = vals["total"], vals["rounding"]
        if doc.currency_id.compare_amounts(total, vals["odoo_total"]) and not rounded:
            vals["totals_note"] = _(
                "Xero rounds tax per line: its total %(xero)s will differ from Odoo's "
                "%(odoo)s. Set a rounding account (Settings > Xero) or Odoo's tax rounding "
                "to 'Round per Line'.",
                xero=formatLang(self.env, total, currency_obj=doc.currency_id),
                odoo=formatLang(self.env, vals["odoo_total"], currency_obj=doc.currency_id),
            )
        unique = list(dict.fromkeys(str(r) for r in refusals if r))
        vals.update(
            refusals="\n".join(f"• {r}" for r in unique) or False, refusal_count=len(unique)
        )
        return vals

    @api.model
    def _refusals(self, doc, connection):
        """The send's own refusals, then what Odoo knows from the Xero state it keeps."""
        if not doc._xero_is_exportable_state():
            problems = [
                _(
                    "Only approved purchase orders and posted invoices, bills and credit "
                    "notes go to Xero: confirm or post it first."
                )
            ]
        else:
            problems = []
        problems += doc._xero_refusals()
        if connection:
            # The send checks the mapping only once the rest is right: list it anyway.
            try:
                mapping.document_payload(doc._xero_values(connection))
            except mapping.MappingError as exc:
                problems += exc.problems
        if doc.xero_state == "cancelled" or doc.xero_status in ("DELETED", "VOIDED"):
            problems.append(
                _(
                    "The Xero document %s was deleted or voided in Xero: changes cannot be "
                    "sent to it. Duplicate the document in Odoo to send a new one.",
                    doc.xero_number or doc.xero_id,
                )
            )
        elif doc.xero_id and doc.xero_status and not mapping.editable(doc.xero_status):
            problems.append(_(APPROVED_RULE))
        return problems

    @api.model
    def _currency_refusal(self, doc, connection):
        """The currency, against the organisation's currencies as last read (kept for a
        few minutes by the send): nothing is read from Xero for a preview."""
        code = doc.currency_id.name
        known = _CURRENCIES.get(connection.tenant_id) if connection.tenant_id else None
        if not known or code in known[1] or doc.currency_id == doc.company_id.currency_id:
            return []
        return [
            _(
                "The currency %(cur)s is not enabled in the Xero organisation %(org)s: add "
                "it in Xero (Settings > Currencies) and resend.",
                cur=code,
                org=connection.tenant_name,
            )
        ]

    @api.model
    def _payload(self, values):
        """(payload, LineAmountTypes, line items) as the send builds them; lines that
        cannot go together (taxes included and excluded) are still shown one by one."""
        try:
            payload, _unitdp = mapping.document_payload(values)
            return payload, payload["LineAmountTypes"], payload["LineItems"]
        except mapping.MappingError:
            pass
        allow = values.get("type") == "ACCREC"
        dp = 2 if values["kind"] == "purchase_orders" else 4
        items = [
            mapping.line_item(line, allow_discount=allow, unitdp=dp)
            for line in values.get("lines") or []
        ]
        # The header alone, from one empty line (document_payload needs one).
        payload, _unitdp = mapping.document_payload(dict(values, lines=[{}], rounding=None))
        return payload, "Exclusive", items

    @api.model
    def _contact(self, doc, connection):
        partner = doc._xero_partner()
        if not partner:
            return {"id": False, "name": False, "state": "none", "xero_name": False}
        link = self.env["xero.link"].sudo()._find(connection, partner, "contact")[:1]
        state = "linked"
        if not link:
            state = "match"
        elif (link.xero_status or "").upper() == "ARCHIVED":
            state = "archived"
        return {
            "id": partner.id,
            "name": partner.display_name,
            "state": state,
            "xero_name": link.xero_name or False,
        }

    @api.model
    def _lines(self, connection, values, items, lat):
        """The preview lines and Xero's totals (tax rounded per line, as Xero does)."""
        source = values.get("lines") or []
        names = self._names(connection, items)
        lines, problems = [], []
        subtotal = tax = total = rounding = Decimal(0)  # exact cents, as Xero adds them
        for index, item in enumerate(items):
            odoo = source[index] if index < len(source) else None
            rate = (odoo.get("tax_rate") or 0.0) if odoo else 0.0
            line_total, line_tax = mapping.expected_totals([item], lat, [rate])
            amount = line_total if lat == "Inclusive" else line_total - line_tax
            subtotal += line_total - line_tax
            tax += line_tax
            total += line_total
            if odoo is None:
                rounding += line_total
            code, tax_type = item.get("AccountCode"), item.get("TaxType")
            untaxed = tax_type in UNTAXED_LABELS and label(self.env, UNTAXED_LABELS, tax_type)
            account_name = names["account"].get(code) or False
            tax_name = names["tax"].get(tax_type) or untaxed or False
            problems += self._gone(names["gone"], item, account_name, tax_name)
            lines.append(
                (
                    0,
                    0,
                    {
                        "sequence": index,
                        "description": item.get("Description"),
                        "quantity": item.get("Quantity"),
                        "unit_amount": item.get("UnitAmount"),
                        "discount_rate": item.get("DiscountRate") or 0.0,
                        "discount_note": self._discount_note(odoo, item),
                        "line_amount": float(amount),
                        "tax_amount": float(line_tax),
                        "item_code": item.get("ItemCode") or False,
                        "account_code": code or False,
                        "account_name": account_name,
                        "account_label": " ".join(filter(None, [code, account_name]))
                        or _("Missing: no Xero account"),
                        "tax_label": (f"{tax_name or tax_type} ({rate:g}%)" if tax_type else False)
                        or _("Missing: no Xero tax rate"),
                        "tax_type": tax_type or False,
                        "tax_name": tax_name,
                        "tax_rate": rate,
                        "tracking": ", ".join(
                            f"{pair[2]}: {pair[3]}" for pair in (odoo or {}).get("tracking") or []
                        )
                        or False,
                        "is_rounding": odoo is None,
                        "incomplete": not code or not tax_type,
                    },
                )
            )
        return {
            "line_ids": lines,
            "subtotal": float(subtotal),
            "tax": float(tax),
            "total": float(total),
            "rounding": float(rounding),
        }, problems

    @api.model
    def _gone(self, gone, item, account_name, tax_name):
        """A line's Xero account or tax rate that the last import saw archived or deleted
        in Xero: Xero refuses them."""
        problems = []
        line = item.get("Description")
        account = gone.get(("account", item.get("AccountCode")))
        if account:
            problems.append(
                _(
                    "Line '%(line)s': the Xero account %(account)s is %(status)s in Xero (as "
                    "of the last import): choose another account, or restore it in Xero.",
                    line=line,
                    account=" ".join(filter(None, [item.get("AccountCode"), account_name])),
                    status=account,
                )
            )
        rate = gone.get(("tax", item.get("TaxType")))
        if rate:
            problems.append(
                _(
                    "Line '%(line)s': the Xero tax rate %(tax)s is %(status)s in Xero (as of "
                    "the last import): choose another tax, or restore the rate in Xero.",
                    line=line,
                    tax=tax_name or item.get("TaxType"),
                    status=rate,
                )
            )
        return problems

    @api.model
    def _discount_note(self, odoo, item):
        if not odoo or not odoo.get("discount"):
            return False
        if item.get("DiscountRate"):
            return _("Sent as a discount (Xero takes them on sales invoices).")
        rate = f"{odoo['discount']:g}"  # a variable: Odoo's term extractor reads no f-string
        return _(
            "Odoo's %s%% discount is in the unit price: Xero takes discounts on sales "
            "invoices only.",
            rate,
        )

    @api.model
    def _names(self, connection, items):
        """Xero's names of the accounts and tax rates of ``items``, from the links the
        import made (the Odoo record's name when Xero's is not kept)."""
        Link = self.env["xero.link"].sudo()
        out = {"account": {}, "tax": {}, "gone": {}}
        for xero_type, field in (("account", "AccountCode"), ("tax", "TaxType")):
            codes = {item[field] for item in items if item.get(field)}
            if not codes or not connection:
                continue
            links = Link.search(
                [
                    ("connection_id", "=", connection.id),
                    ("xero_type", "=", xero_type),
                    ("xero_code", "in", list(codes)),
                ]
            )
            for link in links:
                if link.xero_code in out[xero_type]:
                    continue
                name = link.xero_name
                if not name and xero_type == "tax" and link.xero_code in UNTAXED_LABELS:
                    name = label(self.env, UNTAXED_LABELS, link.xero_code)
                if not name:
                    record = self.env[link.res_model].sudo().browse(link.res_id).exists()
                    name = record.display_name
                out[xero_type][link.xero_code] = name
                status = (link.xero_status or "").upper()
                if status in ("ARCHIVED", "DELETED"):
                    out["gone"][(xero_type, link.xero_code)] = label(
                        self.env, RECORD_STATUS_LABELS, status
                    ).lower()
        return out

    # -- actions ---------------------------------------------------------------------------
    def action_send(self):
        """Send to Xero from the preview: the document's own button, with its checks."""
        self.ensure_one()
        doc = self._document(self.res_model, self.res_id)
        action = doc.action_xero_send()
        # The notification, then the dialog closes (its document reloads).
        action["params"]["next"] = {"type": "ir.actions.act_window_close"}
        return action
