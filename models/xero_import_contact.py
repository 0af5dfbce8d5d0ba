from odoo import _, models

from ..xero.batch import digest
from ..xero.mapping.contact import contact_to_partner
from .xero_import_base import PAGE_SIZE
from .xero_integrated_mixin import XERO_SYNC


class XeroImportContact(models.AbstractModel):
    """Xero contacts -> company partners (suppliers), chosen in the import wizard. Once
    linked they sync both ways: see xero.contact.sync."""

    _name = "xero.import.contact"
    _inherit = "xero.import.base"
    _description = "Xero Import: Suppliers"

    _object_type = "contact"
    _xero_type = "contact"
    _res_model = "res.partner"
    _id_field = "ContactID"
    # Background imports read 1,000 contacts a call (Xero's largest page): 10,000
    # contacts take 10 calls instead of 100, well inside 60 calls a minute.
    _queue_batch = 1000

    # -- reading Xero -----------------------------------------------------------------
    def _fetch(self, client, search=None, offset=0, limit=PAGE_SIZE):
        """``limit`` is the page size; ``offset`` a multiple of it."""
        page = offset // limit + 1
        records = client.get_contacts(
            page=page, search_term=search or None, include_archived=True, page_size=limit
        )
        total = records.pagination.get("itemCount")
        return list(records), records.has_more, total

    def _xero_code(self, rec):
        return rec.get("ContactNumber") or False

    def _fingerprint(self, rec):
        """The values synced with Odoo: a change of anything else is no conflict."""
        return digest(contact_to_partner(rec))

    def _xero_status(self, rec):
        return rec.get("ContactStatus") or "ACTIVE"

    def _kind_label(self, rec):
        roles = [
            label
            for flag, label in (("IsSupplier", _("Supplier")), ("IsCustomer", _("Customer")))
            if rec.get(flag)
        ]
        return " & ".join(roles) or _("Contact")

    def _partners(self):
        return self.env["res.partner"].with_context(active_test=False)

    def _find_existing(self, connection, records):
        """Unlinked partners with the same tax number, else the same exact name (two
        searches and one link lookup per page, whatever the number of links)."""
        vats = [r["TaxNumber"] for r in records if r.get("TaxNumber")]
        names = [r["Name"] for r in records if r.get("Name")]
        domain = [("parent_id", "=", False)]
        order = "is_company desc, supplier_rank desc, id"
        candidates = self._partners().browse()
        if vats:
            candidates |= self._partners().search([*domain, ("vat", "in", vats)], order=order)
        if names:
            candidates |= self._partners().search([*domain, ("name", "in", names)], order=order)
        taken = set(self.env["xero.link"].sudo()._xero_ids(connection, candidates, "contact"))
        by_vat, by_name = {}, {}
        for partner in candidates.filtered(lambda p: p.id not in taken):
            if partner.vat:
                by_vat.setdefault(partner.vat, partner)
            by_name.setdefault(partner.name, partner)
        out, used = {}, set()
        for rec in records:
            partner = by_vat.get(rec.get("TaxNumber")) or by_name.get(rec.get("Name"))
            if partner and partner.id not in used:
                out[rec["ContactID"]] = partner
                used.add(partner.id)
        return out

    # -- Xero -> Odoo values ----------------------------------------------------------
    def _values(self, connection, rec):
        plain = contact_to_partner(rec)
        if not plain["name"]:
            raise ValueError(_("the contact has no name"))
        country = self.env["res.country"]
        if plain["country_code"]:
            country = country.search([("code", "=ilike", plain["country_code"])], limit=1)
            if not country:
                country = country.search([("name", "=ilike", plain["country_code"])], limit=1)
        state = self.env["res.country.state"]
        if country and plain["state_code"]:
            state = state.search(
                [("country_id", "=", country.id), ("code", "=ilike", plain["state_code"])], limit=1
            )
        currency = self.env["res.currency"]
        if plain["currency_code"]:
            currency = currency.with_context(active_test=False).search(
                [("name", "=", plain["currency_code"])], limit=1
            )
        values = {
            key: plain[key]
            for key in ("name", "ref", "email", "phone", "mobile", "vat", "street", "street2")
        }
        values.update(
            city=plain["city"],
            zip=plain["zip"],
            country_id=country.id or False,
            state_id=state.id or False,
            property_purchase_currency_id=currency.id or False,
            active=plain["active"],
            is_company=True,
        )
        term = self._payment_term(connection, plain["bill_days"])
        if term:
            values["property_supplier_payment_term_id"] = term.id
        return values

    def _payment_term(self, connection, days):
        """An Odoo payment term of one line "``days`` days after the bill", if any."""
        if days is None:
            return self.env["account.payment.term"]
        terms = self.env["account.payment.term"].search(
            [("company_id", "in", [connection.company_id.id, False])]
        )
        return terms.filtered(
            lambda t: (
                len(t.line_ids) == 1
                and t.line_ids.delay_type == "days_after"
                and t.line_ids.nb_days == days
                and t.line_ids.value == "percent"
            )
        )[:1]

    def _create_values(self, connection, rec, values):
        return dict(values, supplier_rank=1)

    def _write(self, record, values):
        values = dict(values)
        if not record.supplier_rank:
            values["supplier_rank"] = 1
        record.with_company(self.env.company).with_context(xero_sync=XERO_SYNC).write(values)

    def _import(self, connection, records):
        self = self.with_company(connection.company_id)
        return super()._import(connection, records)

    def _after_import(self, connection, rec, partner):
        account = contact_to_partner(rec)["bank_account"]
        if account and account not in partner.bank_ids.mapped("acc_number"):
            self.env["res.partner.bank"].with_context(xero_sync=XERO_SYNC).create(
                {"partner_id": partner.id, "acc_number": account}
            )

    def _archive(self, record):
        self._write(record, {"active": False})

    # -- Update: the contact two-way sync's ------------------------------------------
    def _update(self, connection, client, state):
        return self.env["xero.contact.sync"]._update(connection, client, state)
