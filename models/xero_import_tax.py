from odoo import Command, _, models
from odoo.tools import float_compare, formatLang

from ..xero.mapping.tax import TaxRefused, tax_amounts, tax_uses, tax_values
from ..xero.where import contains_any, matches
from .xero_integrated_mixin import XERO_SYNC
from .xero_words import TAX_USE_LABELS, label


class XeroImportTax(models.AbstractModel):
    """Xero tax rates -> account.tax, one per use (purchase, sale) the rate serves.

    Xero's TaxType is the key: the link's ``xero_code`` always holds it. Its ``xero_id``
    is the TaxType for the rate's first use and ``<TaxType>:sale`` for the sale tax of a
    rate imported on both sides (a Xero record links to one Odoo record)."""

    _name = "xero.import.tax"
    _inherit = "xero.import.base"
    _description = "Xero Import: Tax Rates"

    _object_type = "tax"
    _xero_type = "tax"
    _res_model = "account.tax"
    _id_field = "TaxType"

    def _fetch_all(self, client, search=None):
        where = contains_any(("Name",), search) if search else None
        records = client.get_tax_rates(where=where, order="Name")
        return [r for r in records if not search or matches(r, ("Name",), search)]

    def _xero_code(self, rec):
        return rec.get("TaxType") or False

    def _kind_label(self, rec):
        amount, _share = self._amounts(rec)
        uses = " & ".join(label(self.env, TAX_USE_LABELS, use) for use in tax_uses(rec))
        if amount is None:
            return uses
        rate = formatLang(self.env, float(amount), digits=4).rstrip("0").rstrip(".,")
        return _("%(uses)s, %(rate)s%%", uses=uses, rate=rate)

    def _amounts(self, rec):
        try:
            return tax_amounts(rec)
        except TaxRefused:
            return None, None

    def _refusal(self, connection, rec):
        if rec.get("Status") == "DELETED":
            return _("Deleted in Xero.")
        try:
            for use in tax_uses(rec):
                tax_values(rec, use)
        except TaxRefused as exc:
            return _("Cannot be imported: %s.", exc)
        return None

    def _link_id(self, rec, use):
        uses = tax_uses(rec)
        return rec["TaxType"] if use == uses[0] else "{}:{}".format(rec["TaxType"], use)

    def _taxes(self, connection):
        return (
            self.env["account.tax"]
            .with_company(connection.company_id)
            .with_context(active_test=False)
        )

    def _match(self, connection, records):
        """{TaxType: (taxes, linked?)} (one tax per use)."""
        links = self.env["xero.link"].sudo()
        keys = {(r["TaxType"], use): self._link_id(r, use) for r in records for use in tax_uses(r)}
        linked = links._records_by_xero_id(connection, "account.tax", "tax", list(keys.values()))
        taken = set(
            links.search([("connection_id", "=", connection.id), ("xero_type", "=", "tax")]).mapped(
                "res_id"
            )
        )
        out = {}
        for rec in records:
            taxes, all_linked = self._taxes(connection).browse(), True
            for use in tax_uses(rec):
                tax = linked.get(keys[(rec["TaxType"], use)])
                if not tax:
                    all_linked = False
                    tax = self._find_tax(connection, rec, use, taken)
                    taken |= set(tax.ids)
                taxes |= tax or taxes.browse()
            if taxes:
                out[rec["TaxType"]] = (taxes, all_linked)
        return out

    def _find_tax(self, connection, rec, use, taken):
        """An unlinked Odoo tax with the same use and rate (same name preferred)."""
        amount, _share = self._amounts(rec)
        if amount is None:
            return self._taxes(connection).browse()
        candidates = self._taxes(connection).search(
            [
                ("company_id", "=", connection.company_id.id),
                ("type_tax_use", "=", use),
                ("amount_type", "=", "percent"),
                ("id", "not in", list(taken)),
            ]
        )
        candidates = candidates.filtered(
            lambda t: not float_compare(t.amount, float(amount), precision_digits=4)
        )
        same_name = candidates.filtered(lambda t: t.name == rec.get("Name"))
        return (same_name or candidates)[:1]

    def _values(self, connection, rec):
        raise NotImplementedError  # taxes are written per use, see _tax_values

    def _tax_values(self, rec, use):
        values = tax_values(rec, use)
        values.pop("non_recoverable_share")
        return values

    def _create_tax(self, connection, rec, use):
        values = tax_values(rec, use)
        share = values.pop("non_recoverable_share")
        company = connection.company_id
        taxes = self._taxes(connection)
        if taxes.search_count(
            [
                ("company_id", "=", company.id),
                ("name", "=", values["name"]),
                ("type_tax_use", "=", use),
            ]
        ):
            values["name"] = _("%s (Xero)", values["name"])
        default = (
            company.account_purchase_tax_id if use == "purchase" else company.account_sale_tax_id
        )
        account = default.invoice_repartition_line_ids.filtered(
            lambda line: line.repartition_type == "tax"
        )[:1].account_id
        lines = [Command.create({"repartition_type": "base", "factor_percent": 100})]
        if share < 1:
            lines.append(
                Command.create(
                    {
                        "repartition_type": "tax",
                        "factor_percent": round((1 - share) * 100, 4),
                        "account_id": account.id,
                    }
                )
            )
        if share > 0:
            lines.append(
                Command.create({"repartition_type": "tax", "factor_percent": round(share * 100, 4)})
            )
        values.update(
            company_id=company.id,
            invoice_repartition_line_ids=lines,
            refund_repartition_line_ids=[Command.create(dict(c[2])) for c in lines],
            description=rec.get("TaxType"),
        )
        return taxes.with_context(xero_sync=XERO_SYNC).create(values)

    def _link_tax(self, connection, tax, rec, use):
        link_values = self._link_values(rec)
        link_values["xero_name"] = rec.get("Name")
        return (
            self.env["xero.link"]
            .sudo()
            ._set(connection, tax, "tax", self._link_id(rec, use), **link_values)
        )

    def _import(self, connection, records):
        self = self.with_company(connection.company_id)
        counts = {"created": 0, "linked": 0, "updated": 0}
        errors = []
        links = self.env["xero.link"].sudo()
        for rec in records:
            reason = self._refusal(connection, rec)
            if reason:
                errors.append(f"{rec.get('Name')}: {reason}")
                continue
            taken = set(
                links.search(
                    [("connection_id", "=", connection.id), ("xero_type", "=", "tax")]
                ).mapped("res_id")
            )
            for use in tax_uses(rec):
                key = self._link_id(rec, use)
                tax = links._records_by_xero_id(connection, "account.tax", "tax", [key]).get(key)
                if tax:
                    self._write(tax, self._tax_values(rec, use))
                    counts["updated"] += 1
                else:
                    tax = self._find_tax(connection, rec, use, taken)
                    if tax:
                        values = self._tax_values(rec, use)
                        values.pop("name")  # keep Odoo's name of a matched tax
                        self._write(tax, values)
                        counts["linked"] += 1
                    else:
                        tax = self._create_tax(connection, rec, use)
                        counts["created"] += 1
                taken.add(tax.id)
                self._link_tax(connection, tax, rec, use)
        return counts, errors

    def _update(self, connection, client, state):
        """Tax rates have no If-Modified-Since: read them all and compare."""
        self = self.with_company(connection.company_id)
        counts = {"updated": 0, "archived": 0}
        links = self.env["xero.link"].sudo()
        for rec in client.get_tax_rates():
            for use in tax_uses(rec):
                key = self._link_id(rec, use)
                link = links.search(
                    [
                        ("connection_id", "=", connection.id),
                        ("xero_type", "=", "tax"),
                        ("xero_id", "=", key),
                    ]
                )
                if not link or link.sync_hash == self._fingerprint(rec):
                    continue
                tax = self._taxes(connection).browse(link.res_id).exists()
                if not tax:
                    continue
                if rec.get("Status") != "ACTIVE":
                    self._write(tax, {"active": False})
                    counts["archived"] += 1
                else:
                    try:
                        values = self._tax_values(rec, use)
                    except TaxRefused:
                        continue
                    if tax.name != rec.get("Name"):
                        values.pop("name")
                    self._write(tax, values)
                    counts["updated"] += 1
                self._link_tax(connection, tax, rec, use)
        state._done_update()
        return counts

    def _tax_types(self, connection, taxes):
        """{tax id: Xero TaxType} for the linked ``taxes`` (used by document export)."""
        links = self.env["xero.link"].sudo()._find(connection, taxes, "tax")
        return {link.res_id: link.xero_code or link.xero_id.split(":")[0] for link in links}
