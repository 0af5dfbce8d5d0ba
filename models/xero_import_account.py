from odoo import _, models

from ..xero.mapping.account import account_values, odoo_account_type
from ..xero.where import contains_any, matches
from .xero_import_base import xero_datetime
from .xero_integrated_mixin import XERO_SYNC
from .xero_words import ACCOUNT_TYPE_LABELS, label

SEARCH_FIELDS = ("Name", "Code")


class XeroImportAccount(models.AbstractModel):
    """Xero chart of accounts -> account.account (shared by companies in Odoo 18,
    linked per organisation)."""

    _name = "xero.import.account"
    _inherit = "xero.import.base"
    _description = "Xero Import: Accounts"

    _object_type = "account"
    _xero_type = "account"
    _res_model = "account.account"
    _id_field = "AccountID"

    def _fetch_all(self, client, search=None):
        # Bank accounts may have no Code: the filter guards it (Xero fails otherwise).
        where = contains_any(SEARCH_FIELDS, search) if search else None
        records = client.get_accounts(where=where, order="Code")
        return [r for r in records if not search or matches(r, SEARCH_FIELDS, search)]

    def _kind_label(self, rec):
        return label(self.env, ACCOUNT_TYPE_LABELS, rec.get("Type"))

    def _refusal(self, connection, rec):
        _account_type, reason = odoo_account_type(rec)
        if reason:
            return _(
                "%(type)s accounts have no Odoo equivalent",
                type=label(self.env, ACCOUNT_TYPE_LABELS, rec.get("Type")) or "?",
            )
        if not (rec.get("Code") or "").strip():
            return _("The account has no code in Xero: give it one there.")
        return None

    def _company_accounts(self, connection):
        return (
            self.env["account.account"]
            .with_company(connection.company_id)
            .with_context(active_test=False)
        )

    def _find_existing(self, connection, records):
        codes = [(r.get("Code") or "").strip() for r in records if r.get("Code")]
        if not codes:
            return {}
        accounts = self._company_accounts(connection).search(
            [("code", "in", codes), ("company_ids", "in", connection.company_id.id)]
        )
        by_code = {a.code: a for a in accounts}
        return {
            r["AccountID"]: by_code[r["Code"].strip()]
            for r in records
            if (r.get("Code") or "").strip() in by_code
        }

    def _values(self, connection, rec):
        values = account_values(rec)
        if rec.get("Type") == "BANK" and rec.get("CurrencyCode"):
            currency = self.env["res.currency"].search(
                [("name", "=", rec["CurrencyCode"])], limit=1
            )
            if currency and currency != connection.company_id.currency_id:
                values["currency_id"] = currency.id
        return values

    def _create_values(self, connection, rec, values):
        return dict(values, company_ids=[(6, 0, connection.company_id.ids)])

    def _write(self, record, values):
        # the code is per company in Odoo 18: write it in the organisation's company
        record.with_context(xero_sync=XERO_SYNC).write(values)

    def _import(self, connection, records):
        self = self.with_company(connection.company_id)
        return super()._import(connection, records)

    def _update(self, connection, client, state):
        self = self.with_company(connection.company_id)
        return super()._update(connection, client, state)

    def _changed(self, client, state):
        records = list(client.get_accounts(if_modified_since=state.modified_since or None))
        stamps = [xero_datetime(r.get("UpdatedDateUTC")) for r in records]
        return records, max((s for s in stamps if s), default=None)

    def _is_archived(self, rec):
        return rec.get("Status") in ("ARCHIVED", "DELETED")

    def _archive(self, record):
        self._write(record, {"deprecated": True})
