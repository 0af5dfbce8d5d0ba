from odoo import _, models

from ..xero.mapping.item import item_to_product
from ..xero.where import contains_any, matches
from .xero_import_base import xero_datetime
from .xero_integrated_mixin import XERO_SYNC

OWN_FIELDS = (
    "name",
    "default_code",
    "description_sale",
    "description_purchase",
    "list_price",
    "standard_price",
    "sale_ok",
    "purchase_ok",
)


SEARCH_FIELDS = ("Name", "Code")


class XeroImportItem(models.AbstractModel):
    """Xero items -> products (default_code = Xero Code); accounts and taxes come
    through the links of the imported accounts and tax rates."""

    _name = "xero.import.item"
    _inherit = "xero.import.base"
    _description = "Xero Import: Items"

    _object_type = "item"
    _xero_type = "item"
    _res_model = "product.product"
    _id_field = "ItemID"
    # Xero answers items whole (no paging): each background batch reads the whole
    # list, so batches are large to keep the calls few.
    _queue_batch = 2000

    def _fetch_all(self, client, search=None):
        # unitdp=4: Xero rounds unit prices to 2 decimals unless asked for 4.
        where = contains_any(SEARCH_FIELDS, search) if search else None
        records = client.get_items(where=where, order="Code", unitdp=4)
        return [r for r in records if not search or matches(r, SEARCH_FIELDS, search)]

    def _kind_label(self, rec):
        flags = [
            label
            for flag, label in (("IsSold", _("Sold")), ("IsPurchased", _("Purchased")))
            if rec.get(flag)
        ]
        return " & ".join(flags) or False

    def _refusal(self, connection, rec):
        if not (rec.get("Code") or "").strip():
            return _("The item has no code in Xero.")
        return None

    def _products(self, connection):
        return (
            self.env["product.product"]
            .with_company(connection.company_id)
            .with_context(active_test=False)
        )

    def _find_existing(self, connection, records):
        codes = [r["Code"].strip() for r in records if r.get("Code")]
        products = self._products(connection).search(
            [
                ("default_code", "in", codes),
                ("company_id", "in", [connection.company_id.id, False]),
            ],
            order="id",
        )
        taken = set(self.env["xero.link"].sudo()._xero_ids(connection, products, "item"))
        by_code = {}
        for product in products.filtered(lambda p: p.id not in taken):
            by_code.setdefault(product.default_code, product)
        return {
            r["ItemID"]: by_code[r["Code"].strip()]
            for r in records
            if (r.get("Code") or "").strip() in by_code
        }

    def _values(self, connection, rec):
        plain = item_to_product(rec)
        return {key: plain[key] for key in OWN_FIELDS}

    def _create_values(self, connection, rec, values):
        return dict(values, type="consu")

    def _write(self, record, values):
        record.with_context(xero_sync=XERO_SYNC).write(values)

    def _import(self, connection, records):
        self = self.with_company(connection.company_id)
        return super()._import(connection, records)

    def _update(self, connection, client, state):
        self = self.with_company(connection.company_id)
        return super()._update(connection, client, state)

    def _changed(self, client, state):
        records = list(client.get_items(if_modified_since=state.modified_since or None, unitdp=4))
        stamps = [xero_datetime(r.get("UpdatedDateUTC")) for r in records]
        return records, max((s for s in stamps if s), default=None)

    def _is_archived(self, rec):
        return False

    def _after_import(self, connection, rec, product):
        """Accounts and taxes through the links (company-dependent in Odoo)."""
        plain = item_to_product(rec)
        links = self.env["xero.link"].sudo()
        company = connection.company_id
        accounts = {
            link.xero_code: link.res_id
            for link in links.search(
                [
                    ("connection_id", "=", connection.id),
                    ("xero_type", "=", "account"),
                    (
                        "xero_code",
                        "in",
                        [plain["income_account_code"], plain["expense_account_code"]],
                    ),
                ]
            )
        }
        tax_links = links.search(
            [
                ("connection_id", "=", connection.id),
                ("xero_type", "=", "tax"),
                ("xero_code", "in", [plain["sale_tax_type"], plain["purchase_tax_type"]]),
            ]
        )
        taxes = self.env["account.tax"].browse(tax_links.mapped("res_id")).exists()
        code_of = {link.res_id: link.xero_code for link in tax_links}

        def pick(tax_type, use):
            return taxes.filtered(lambda t: code_of.get(t.id) == tax_type and t.type_tax_use == use)

        template = product.product_tmpl_id.with_company(company)
        values = {}
        if accounts.get(plain["income_account_code"]):
            values["property_account_income_id"] = accounts[plain["income_account_code"]]
        if accounts.get(plain["expense_account_code"]):
            values["property_account_expense_id"] = accounts[plain["expense_account_code"]]
        sale, purchase = (
            pick(plain["sale_tax_type"], "sale"),
            pick(plain["purchase_tax_type"], "purchase"),
        )
        if plain["sale_tax_type"]:
            others = template.sudo().taxes_id.filtered(lambda t: t.company_id != company)
            values["taxes_id"] = [(6, 0, (others | sale).ids)]
        if plain["purchase_tax_type"]:
            others = template.sudo().supplier_taxes_id.filtered(lambda t: t.company_id != company)
            values["supplier_taxes_id"] = [(6, 0, (others | purchase).ids)]
        if values:
            template.with_context(xero_sync=XERO_SYNC).write(values)
