import logging

from odoo import _, api, fields, models

from ..xero.batch import digest
from ..xero.mapping.contact import contact_to_partner
from .xero_import_base import PAGE_SIZE, xero_datetime
from .xero_integrated_mixin import XERO_SYNC

WEBHOOK_IDS_PER_CALL = 50  # GUIDs in one IDs= filter (Xero's URLs get too long past ~52)

_logger = logging.getLogger(__name__)

SYNCED_FIELDS = {
    "name",
    "ref",
    "email",
    "phone",
    "mobile",
    "vat",
    "street",
    "street2",
    "city",
    "state_id",
    "zip",
    "country_id",
    "property_purchase_currency_id",
    "active",
}


class XeroImportContact(models.AbstractModel):
    """Xero contacts -> company partners (suppliers), and back: contacts sync both ways,
    the newer change wins and the losing side is written to the sync log."""

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

    # -- Update (Xero -> Odoo), with conflicts -----------------------------------------
    def _update(self, connection, client, state):
        self = self.with_company(connection.company_id)
        counts = {"updated": 0, "archived": 0, "conflicts": 0}
        watermark, page = None, 1
        while True:
            records = client.get_contacts(
                page=page,
                if_modified_since=state.modified_since or None,
                include_archived=True,
                page_size=PAGE_SIZE,
            )
            for rec in records:
                stamp = xero_datetime(rec.get("UpdatedDateUTC"))
                watermark = max(watermark, stamp) if watermark and stamp else (stamp or watermark)
            self._apply_xero_changes(connection, records, counts)
            if not records.has_more:
                break
            page += 1
        state._done_update(watermark)
        return counts

    def _apply_xero_changes(self, connection, records, counts):
        """Apply Xero's version of the linked contacts among `records` (a change on
        both sides goes to the newer one); `counts` is updated in place."""
        links = self.env["xero.link"].sudo()
        linked = self._linked(connection, records)
        link_by_id = {
            link.xero_id: link
            for link in links.search(
                [
                    ("connection_id", "=", connection.id),
                    ("xero_type", "=", "contact"),
                    ("xero_id", "in", list(linked)),
                ]
            )
        }
        for rec in records:
            partner = linked.get(rec["ContactID"])
            link = link_by_id.get(rec["ContactID"])
            if not partner or link.sync_hash == self._fingerprint(rec):
                continue
            if not link.odoo_synced_at and not self._xero_wins(connection, partner, rec):
                counts["conflicts"] = counts.get("conflicts", 0) + 1
                continue
            if not link.odoo_synced_at:
                counts["conflicts"] = counts.get("conflicts", 0) + 1
            outcome = self._apply_update(connection, rec, partner)
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    @api.model
    def _apply_webhook(self, connection, contact_ids):
        """A CONTACT webhook: read those contacts from Xero and apply what changed to
        the partners linked to them (contacts Odoo does not follow cost no change)."""
        self = self.with_company(connection.company_id)
        known = (
            self.env["xero.link"]
            .sudo()
            .search(
                [
                    ("connection_id", "=", connection.id),
                    ("xero_type", "=", "contact"),
                    ("xero_id", "in", list(contact_ids)),
                ]
            )
        )
        ids = known.mapped("xero_id")
        counts = {}
        if not ids:
            return counts
        client = connection._client("batch")
        for start in range(0, len(ids), WEBHOOK_IDS_PER_CALL):
            chunk = ids[start : start + WEBHOOK_IDS_PER_CALL]
            records = client.get_contacts(ids=chunk, include_archived=True)
            self._apply_xero_changes(connection, records, counts)
        return counts

    def _xero_wins(self, connection, partner, rec):
        """Both sides changed: the newer change wins; the loser is logged. True when
        Xero's version is to be applied."""
        xero_time = xero_datetime(rec.get("UpdatedDateUTC"))
        odoo_time = partner.write_date
        xero_newer = bool(xero_time and odoo_time and xero_time > odoo_time)
        if xero_newer:
            message = _(
                "%(partner)s changed in Odoo (%(odoo)s) and in Xero (%(xero)s): Xero's newer "
                "change was kept, Odoo's edit was overwritten.",
                partner=partner.display_name,
                odoo=odoo_time,
                xero=xero_time,
            )
        else:
            message = _(
                "%(partner)s changed in Odoo (%(odoo)s) and in Xero (%(xero)s): Odoo's newer "
                "change was kept and is sent to Xero; Xero's change was overwritten.",
                partner=partner.display_name,
                odoo=odoo_time,
                xero=xero_time,
            )
            # remember Xero's version as seen, so that the push does not see it again
            self.env["xero.link"].sudo()._find(connection, partner, "contact").write(
                {
                    "sync_hash": self._fingerprint(rec),
                    "xero_updated_at": xero_time,
                    "xero_status": rec.get("ContactStatus") or "ACTIVE",
                }
            )
        self.env["xero.log"]._log_event(
            connection,
            {"operation": "contact_conflict", "outcome": "conflict", "xero_message": message},
            record=partner,
        )
        return xero_newer

    # -- Odoo -> Xero -----------------------------------------------------------------
    def _pending_links(self, connection, limit=None):
        return (
            self.env["xero.link"]
            .sudo()
            .search(
                [
                    ("connection_id", "=", connection.id),
                    ("xero_type", "=", "contact"),
                    ("res_model", "=", "res.partner"),
                    ("odoo_synced_at", "=", False),
                ],
                limit=limit,
                order="id",
            )
        )

    def _push(self, connection, client=None, limit=50):
        """Send the partners edited in Odoo to Xero (one call per 50); returns counts."""
        self = self.with_company(connection.company_id)
        counts = {"pushed": 0, "conflicts": 0, "failed": 0}
        links = self._pending_links(connection, limit)
        if not links:
            return counts
        client = client or connection._client("batch")
        partners = self._partners().browse(links.mapped("res_id")).exists()
        by_partner = {link.res_id: link for link in links}
        current = {
            c["ContactID"]: c
            for c in client.get_contacts(ids=links.mapped("xero_id"), include_archived=True)
        }
        outgoing = []
        currencies = self.env["res.partner"]._xero_currencies(client)
        for partner in partners:
            link = by_partner[partner.id]
            rec = current.get(link.xero_id)
            if rec and link.sync_hash and self._fingerprint(rec) != link.sync_hash:
                counts["conflicts"] += 1
                if self._xero_wins(connection, partner, rec):
                    self._apply_update(connection, rec, partner)
                    continue
            payload = self.env["res.partner"]._xero_contact_payload(
                partner, link.xero_id, currencies
            )
            key = f"{partner._xero_contact_key(connection)}/{digest(payload)}"
            outgoing.append((key, payload, partner))
        if outgoing:
            results = client.send_batch("contacts", [(k, p) for k, p, _x in outgoing])
            for (_key, _payload, partner), result in zip(outgoing, results, strict=True):
                if result.ok:
                    self._link(connection, partner, result.record or {})
                    counts["pushed"] += 1
                elif result.retryable:
                    raise result.exception
                else:
                    counts["failed"] += 1
                    by_partner[partner.id].write({"odoo_synced_at": fields.Datetime.now()})
                    self.env["xero.log"]._log_event(
                        connection,
                        {
                            "operation": "contact_push",
                            "outcome": "error",
                            "xero_message": _(
                                "%(partner)s was not updated in Xero: %(errors)s",
                                partner=partner.display_name,
                                errors="; ".join(result.errors),
                            ),
                        },
                        record=partner,
                    )
        return counts
