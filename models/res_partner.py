import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..xero.mapping.contact import (
    partner_to_contact,
    same_name,
    same_tax_number,
)
from .xero_contact_sync import SYNCED_FIELDS
from .xero_integrated_mixin import is_xero_sync

_logger = logging.getLogger(__name__)

LOOKUP_BATCH = 25  # partners looked up in Xero per call (names and tax numbers OR-ed)
LIST_PAGE = 1000  # contacts per page when reading the whole list


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "xero.integrated.mixin"]

    # -- two-way sync: a user's edit of a synced field goes to Xero -----------------
    def write(self, vals):
        result = super().write(vals)
        if not is_xero_sync(self.env) and SYNCED_FIELDS.intersection(vals):
            self._xero_mark_edited()
        return result

    def _xero_mark_edited(self):
        """Queue the linked partners of ``self`` for sending to Xero (batched by the
        queue cron, which is triggered now)."""
        self.env["xero.contact.sync"]._queue(self)

    # -- Odoo -> Xero ---------------------------------------------------------------
    def _xero_contact_values(self):
        """Plain values of this (commercial) partner for xero.mapping.contact."""
        self.ensure_one()
        bank = self.bank_ids[:1]
        term = self.property_supplier_payment_term_id
        days = None
        if term and len(term.line_ids) == 1 and term.line_ids.delay_type == "days_after":
            days = term.line_ids.nb_days
        return {
            "name": self.name,
            "ref": self.ref,
            "email": self.email,
            "phone": self.phone,
            "mobile": self.mobile,
            "vat": self.vat,
            "street": self.street,
            "street2": self.street2,
            "city": self.city,
            "state_code": self.state_id.code,
            "zip": self.zip,
            "country_code": self.country_id.code,
            "currency_code": self.property_purchase_currency_id.name,
            "bank_account": bank.acc_number,
            "bill_days": days,
            "active": self.active,
        }

    def _xero_ensure_contacts(self, connection, client=None, errors=None):
        """{commercial partner id: Xero ContactID} for the partners of ``self``.

        A partner that is already linked in ``connection``'s organisation keeps its
        contact; otherwise an existing Xero contact with the same name or tax number
        is linked; otherwise the contact is created in Xero (batches of 50).

        Partners that cannot be linked (archived in Xero, refused by Xero, name taken
        by a contact linked to another partner) raise one UserError naming them all,
        or, when a dict is given as ``errors``, are reported there as
        {partner id: message} and left out of the result. A rate limit or network
        failure raises the client's XeroError (retryable) so the caller can try later.
        """
        # Payment terms and currencies are company-dependent: the connection's company's.
        self = self.with_company(connection.company_id)
        partners = self.commercial_partner_id.with_context(active_test=False)
        errors_out = {} if errors is None else errors
        result = {}
        if not partners:
            return result
        links = self.env["xero.link"].sudo()
        found = links._find(connection, partners, "contact")
        for link in found:
            if (link.xero_status or "").upper() == "ARCHIVED":
                errors_out[link.res_id] = self._xero_archived_message(link.res_id)
            else:
                result[link.res_id] = link.xero_id
        missing = partners.filtered(lambda p: p.id not in result and p.id not in errors_out)
        if missing:
            client = client or connection._client("batch")
            sync = self.env["xero.contact.sync"]
            # What an earlier create of ours may have made is found first (by the id Xero
            # gave or the name it was created with), then what Xero has by name or tax
            # number; only the rest is created.
            missing, marked = sync._adopt_created(connection, client, missing, result, errors_out)
            to_create = missing._xero_match_contacts(connection, client, result, errors_out)
            sync._settle(
                connection,
                {pid: sync._created(result[pid]) for pid in marked if pid in result},
            )
            if to_create:
                sync._create_contacts(connection, client, to_create, result, errors_out)
        if errors is None and errors_out:
            raise UserError(
                _("These partners could not be sent to Xero:\n%s", "\n".join(errors_out.values()))
            )
        return result

    def _xero_archived_message(self, partner_id):
        partner = self.browse(partner_id)
        return _(
            "%(partner)s is archived in Xero: restore it in Xero or link another contact.",
            partner=partner.display_name,
        )

    def _xero_taken_message(self, contact, owner):
        return _(
            "%(partner)s: the Xero contact %(contact)s is already linked to %(owner)s. "
            "Xero contact names are unique: rename the partner or merge the duplicates.",
            partner=self.display_name,
            contact=contact.get("Name"),
            owner=owner.display_name,
        )

    def _xero_search_contacts(self, client, names=(), tax_numbers=(), numbers=()):
        """Xero contacts (archived included) with one of ``names``, ``tax_numbers`` or
        contact ``numbers``."""
        return client.find_contacts(names, tax_numbers, numbers)

    @api.model
    def _xero_list_contacts(self, client, max_calls):
        """Every Xero contact (archived included) if that takes at most ``max_calls``
        calls, else None."""
        contacts = []
        pages = client.iter_pages("get_contacts", include_archived=True, page_size=LIST_PAGE)
        for calls, batch in enumerate(pages, start=1):
            contacts.extend(batch)
            if not batch.has_more:
                return contacts
            if calls >= max_calls or int(batch.pagination.get("pageCount") or 0) > max_calls:
                return None
        return contacts

    def _xero_match_contacts(self, connection, client, result, errors):
        """Link the partners of ``self`` to existing Xero contacts (by tax number, then
        by exact name); returns the partners left to create."""
        links = self.env["xero.link"].sudo()
        left = self.browse()
        # Many partners: reading the organisation's whole contact list (1,000 a page)
        # may take fewer calls than searching them by name 25 at a time.
        searches = -(-len(self) // LOOKUP_BATCH)
        everyone = self._xero_list_contacts(client, searches - 1) if searches > 1 else None
        for start in range(0, len(self), LOOKUP_BATCH):
            batch = self[start : start + LOOKUP_BATCH]
            if everyone is not None:
                contacts = everyone
            else:
                contacts = self._xero_search_contacts(
                    client, batch.mapped("name"), [v for v in batch.mapped("vat") if v]
                )
            owners = links._records_by_xero_id(
                connection, "res.partner", "contact", [c["ContactID"] for c in contacts]
            )
            for partner in batch:
                contact = next(
                    (c for c in contacts if same_tax_number(c.get("TaxNumber"), partner.vat)),
                    None,
                ) or next((c for c in contacts if same_name(c.get("Name"), partner.name)), None)
                if contact is None:
                    left |= partner
                    continue
                owner = owners.get(contact["ContactID"])
                if owner and owner != partner:
                    errors[partner.id] = partner._xero_taken_message(contact, owner)
                    continue
                if contact.get("ContactStatus") == "ARCHIVED":
                    errors[partner.id] = self._xero_archived_message(partner.id)
                    continue
                partner._xero_link_contact(connection, contact)
                owners[contact["ContactID"]] = partner
                result[partner.id] = contact["ContactID"]
        return left

    def _xero_link_contact(self, connection, contact):
        self.ensure_one()
        return (
            self.env["xero.link"]
            .sudo()
            ._set(
                connection,
                self,
                "contact",
                contact["ContactID"],
                xero_name=contact.get("Name"),
                xero_code=contact.get("ContactNumber") or False,
                xero_status=contact.get("ContactStatus") or "ACTIVE",
                odoo_synced_at=fields.Datetime.now(),
                sync_hash=self.env["xero.import.contact"]._fingerprint(contact),
            )
        )

    def _xero_relink_by_name(self, connection, client, result, errors):
        self.ensure_one()
        matches = [
            c
            for c in client.get_contacts(search_term=self.name, include_archived=True)
            if same_name(c.get("Name"), self.name)
        ]
        if not matches:
            errors[self.id] = _(
                "%(partner)s: Xero says the name is taken but no contact has it.",
                partner=self.display_name,
            )
            return
        contact = matches[0]
        owner = (
            self.env["xero.link"]
            .sudo()
            ._records_by_xero_id(connection, "res.partner", "contact", [contact["ContactID"]])
            .get(contact["ContactID"])
        )
        if owner and owner != self:
            errors[self.id] = self._xero_taken_message(contact, owner)
        elif contact.get("ContactStatus") == "ARCHIVED":
            errors[self.id] = self._xero_archived_message(self.id)
        else:
            self._xero_link_contact(connection, contact)
            result[self.id] = contact["ContactID"]

    def _xero_contact_payloads(self, connection, currencies=None, xero_ids=None):
        """{partner id: Xero Contact payload} of the partners of ``self`` in
        ``connection``'s organisation: updates of the contacts ``xero_ids`` ({partner id:
        ContactID}) names, creates for the others. A currency the organisation lacks
        (not in ``currencies``, when given) is left out: Xero refuses it."""
        xero_ids = xero_ids or {}
        payloads = {}
        for partner in self.with_company(connection.company_id):
            values = partner._xero_contact_values()
            if currencies is not None and values["currency_code"] not in currencies:
                values["currency_code"] = None
            payloads[partner.id] = partner_to_contact(values, xero_ids.get(partner.id))
        return payloads

    @api.model
    def _xero_currencies(self, client):
        """Currency codes the organisation has (a contact's DefaultCurrency must be one)."""
        needed = {p.property_purchase_currency_id.name for p in self if p}
        return self.env["xero.connection"]._xero_currency_codes(client, needed)

    @api.model
    def _xero_on_webhook(self, connection, category, resource_ids):
        """CONTACT events: bring Xero's changes of the contacts Odoo follows."""
        self.env["xero.contact.sync"]._apply_webhook(connection, resource_ids)
