"""The contact two-way sync: a partner linked to a Xero contact follows it both ways.

Xero -> Odoo: Update reads the contacts changed since the last one (If-Modified-Since
pages), a CONTACT webhook reads the contacts it names; ``_apply_xero_changes`` writes
Xero's version to the linked partners. Odoo -> Xero: a user's edit of a synced field
queues the partner (a row of this model per organisation, state ``queued``); the queue
cron pushes them 50 a call (``_xero_outbox_push``).

Pushes go through the outbox engine (xero_outbox.py): the rows are claimed with
``FOR UPDATE SKIP LOCKED`` and a lease (two workers never push the same contact), keyed
and committed by the engine's cron loop; this model implements its hooks. Every contact
write to Xero, pushes and creates alike, follows the outbox rules:
- key: per contact (this row: one partner in one organisation) and send generation, the
  same on every retry of a send whatever the batch it goes in, new for a new send;
- "maybe sent" marker (the key, with the name created or the values sent), committed
  before the call; only Xero's definite answer (done or refused) clears it;
- an unknown outcome (timeout, crash, lost answer) keeps the marker: before creating the
  contact again it is looked up in Xero by the name sent and the contact number
  (archived ones included, whatever its age); an update whose values Xero already
  holds is not sent again.
Contacts created for exported documents (``res.partner._xero_ensure_contacts``) are
written in the middle of the export's own batch, so they cannot wait for a claim: they
use the same rows, keys and markers, written in a transaction of their own
(``_create_contacts``).

Both sides changed: the newer change wins; the loser is written to the sync log.
"""

import logging
from contextlib import contextmanager

from odoo import _, api, fields, models
from odoo.tools import SQL

from ..xero.batch import digest
from ..xero.mapping.contact import contact_to_partner, same_name
from .xero_import_base import PAGE_SIZE, xero_datetime
from .xero_outbox import OUTBOX_STATES

_logger = logging.getLogger(__name__)

WEBHOOK_IDS_PER_CALL = 50  # GUIDs in one IDs= filter (Xero's URLs get too long past ~52)

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


class XeroContactSync(models.Model):
    _name = "xero.contact.sync"
    _inherit = ["xero.outbox.mixin"]
    _description = "Xero Contact Sync"
    _order = "connection_id, id"
    _rec_name = "partner_id"

    connection_id = fields.Many2one(
        "xero.connection", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade", index=True)
    state = fields.Selection(OUTBOX_STATES, default="not_sent", required=True, index=True)
    edit_seq = fields.Integer(
        help="Counts the Odoo edits queued: an edit made while a push "
        "is on its way is sent after it."
    )
    claimed_seq = fields.Integer(help="The edits the push on its way sends.")
    send_count = fields.Integer(help="Send generation: a new send uses a new key.")
    pending_key = fields.Char(
        help="Key of the last send while its outcome is unknown: before sending again, "
        "the contact is looked up in Xero."
    )
    pending_name = fields.Char(help="Name of the contact the unknown create asked for.")
    pending_hash = fields.Char(help="Fingerprint of the values the unknown update sent.")
    xero_id = fields.Char(
        string="Xero ID",
        help="The contact created in Xero for the partner (kept even when "
        "the transaction that linked it was lost).",
    )
    retry_at = fields.Datetime(help="Until when a worker holds the push, or when to retry.")
    error = fields.Text()

    # The outbox engine's names for this model's fields (see xero_outbox.py).
    _xero_outbox_fields = {
        "state": "state",
        "error": "error",
        "key": "pending_key",
        "attempt_at": None,
        "retry_at": "retry_at",
        "count": "send_count",
        "xero_id": None,
    }
    _xero_outbox_cron = "xero_connector.ir_cron_xero_queue"

    _sql_constraints = [
        (
            "partner_uniq",
            "unique(connection_id, partner_id)",
            "A partner has one contact sync per Xero organisation.",
        )
    ]

    # -- the rows, in a transaction of their own ------------------------------------------
    @contextmanager
    def _own_transaction(self):
        """This model in a cursor of its own, committed on exit: the keys and markers of
        the contacts created for an export are durable before Xero is called, whatever
        becomes of the caller's transaction (the export commits its own only after its
        batch). The export's transaction never writes these rows itself."""
        self.env.flush_all()
        with self.env.registry.cursor() as cr:
            yield self.env(cr=cr, su=True)[self._name]
        self.env[self._name].invalidate_model()

    def _key(self, count):
        """The key of this contact's send ``count``, as the outbox engine makes them."""
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        return f"{uuid}/{self._name}/{self.id}/{count}"

    @api.model
    def _rows(self, connection, partner_ids):
        """{partner id: row} of ``connection``, made when missing."""
        self.env.cr.execute(
            SQL(
                """INSERT INTO xero_contact_sync (connection_id, company_id, partner_id, state,
                                                  edit_seq, send_count, create_uid, write_uid,
                                                  create_date, write_date)
                   SELECT %s, %s, pid, 'not_sent', 0, 0, %s, %s,
                          now() at time zone 'utc', now() at time zone 'utc'
                     FROM unnest(%s::int[]) AS pid
                   ON CONFLICT (connection_id, partner_id) DO NOTHING""",
                connection.id,
                connection.company_id.id,
                self.env.uid,
                self.env.uid,
                list(partner_ids),
            )
        )
        rows = self.search(
            [("connection_id", "=", connection.id), ("partner_id", "in", list(partner_ids))]
        )
        return {row.partner_id.id: row for row in rows}

    @api.model
    def _settle(self, connection, outcomes):
        """Write the definite outcomes ``{partner id: values}`` (clearing the markers)."""
        if not outcomes:
            return
        with self._own_transaction() as rows_model:
            rows = rows_model._rows(connection, outcomes)
            for partner_id, values in outcomes.items():
                rows[partner_id].write(values)

    # -- Odoo -> Xero: queueing ------------------------------------------------------------
    @api.model
    def _queue(self, partners):
        """Queue the linked partners of ``partners`` for sending to Xero (in every
        organisation they are linked to), and trigger the queue cron."""
        links = (
            self.env["xero.link"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", partners.ids),
                    ("xero_type", "=", "contact"),
                ]
            )
        )
        if not links:
            return
        sync = self.sudo()
        for connection in links.connection_id:
            partner_ids = links.filtered(lambda x, c=connection: x.connection_id == c).mapped(
                "res_id"
            )
            for row in sync._rows(connection, partner_ids).values():
                vals = {"state": "queued", "edit_seq": row.edit_seq + 1, "error": False}
                if row.state != "queued":
                    vals["retry_at"] = False  # a live lease stays until its push is done
                row.write(vals)
        self.sudo()._xero_outbox_trigger()

    @api.model
    def _pending(self, connection, partner_ids=None):
        """Rows of ``connection`` queued for Xero (of ``partner_ids`` when given)."""
        domain = [("connection_id", "=", connection.id), ("state", "=", "queued")]
        if partner_ids is not None:
            domain.append(("partner_id", "in", list(partner_ids)))
        return self.sudo().search(domain)

    @api.model
    def _pending_count(self, connection):
        return self.sudo().search_count(
            [("connection_id", "=", connection.id), ("state", "=", "queued")]
        )

    # -- Odoo -> Xero: the push, on the outbox engine -------------------------------------
    @api.model
    def _xero_outbox_lane_sql(self, lane):
        """The organisation each company is connected to now, not an archived one."""
        return SQL("connection_id IN (SELECT id FROM xero_connection WHERE active)")

    def _xero_outbox_claim_values(self, connection):
        return {"claimed_seq": self.edit_seq}

    def _xero_outbox_settle(self, vals=None, state="sent"):
        """Also the values of the marker; an edit made while the push was on its way
        stays queued, to be sent after it."""
        vals = dict(vals or {}, pending_hash=False, pending_name=False)
        edited = self.filtered(lambda r: r.edit_seq != r.claimed_seq)
        super(XeroContactSync, self - edited)._xero_outbox_settle(vals, state)
        if edited:
            super(XeroContactSync, edited)._xero_outbox_settle(vals, "queued")

    def _xero_outbox_fail(self, message, connection=None, operation="contact_push", notify=True):
        """State error with the message, and a Sync Log row on the partner."""
        self._xero_outbox_set({"state": "error", "error": message, "retry_at": False})
        for row in self:
            self.env["xero.log"]._log_event(
                row.connection_id,
                {"operation": operation, "outcome": "error", "xero_message": message},
                record=row.partner_id,
            )

    def _xero_outbox_push(self, connection, lane, lookups):
        """Send the claimed partners' values to Xero in one call. ``lookups`` (their
        last send has no known outcome) are not sent again when Xero holds their values."""
        self = self.with_company(connection.company_id)
        importer = self.env["xero.import.contact"]
        partners = importer._partners().browse(self.partner_id.ids).exists()
        links = {
            link.res_id: link
            for link in self.env["xero.link"].sudo()._find(connection, partners, "contact")
        }
        unlinked = self.filtered(lambda r: r.partner_id.id not in links)
        unlinked._xero_outbox_settle(state="not_sent")  # nothing to send
        rows = self - unlinked
        if not rows:
            return False
        client = connection._client("batch")
        current = {
            c["ContactID"]: c
            for c in client.get_contacts(
                ids=[links[r.partner_id.id].xero_id for r in rows], include_archived=True
            )
        }
        partners = partners.filtered(lambda p: p.id in links)
        currencies = partners._xero_currencies(client)
        payloads = partners._xero_contact_payloads(
            connection, currencies, {pid: link.xero_id for pid, link in links.items()}
        )
        outgoing = []
        for row in rows:
            partner = partners.browse(row.partner_id.id)
            link = links[partner.id]
            rec = current.get(link.xero_id)
            payload = payloads[partner.id]
            if rec and importer._fingerprint(rec) == self._values_hash(payload):
                # Xero holds these values already (e.g. the answer of our last send was
                # lost): nothing to send again.
                importer._link(connection, partner, rec)
                row._xero_outbox_settle()
                continue
            ours = row in lookups and rec and importer._fingerprint(rec) == row.pending_hash
            changed = rec and link.sync_hash and importer._fingerprint(rec) != link.sync_hash
            if changed and not ours and self._xero_wins(connection, partner, rec):
                importer._apply_update(connection, rec, partner)
                row._xero_outbox_settle()
                continue
            outgoing.append((row, partner, payload))
        self._drop_held_numbers(client, outgoing, current, links)
        if not outgoing:
            return False
        sent = self.browse()
        for row, _partner, payload in outgoing:
            row.pending_hash = self._values_hash(payload)  # what an unknown outcome sent
            sent |= row
        results = client.send_batch(
            "contacts",
            [(r.pending_key, p, ("res.partner", partner.id)) for r, partner, p in outgoing],
        )

        def accepted(row, result):
            importer._link(connection, row.partner_id, result.record or {})
            row._xero_outbox_settle()

        return sent._xero_outbox_answer(connection, results, accepted)

    @api.model
    def _values_hash(self, payload):
        """Fingerprint of the synced values a payload sets (compared with Xero's)."""
        return digest(contact_to_partner(payload))

    def _drop_held_numbers(self, client, outgoing, current, links):
        """Contact numbers are unique in Xero across all contacts, archived ones
        included: a reference that another Xero contact holds is not sent as the
        contact's number (its other changes are). One lookup for the changed numbers."""
        changed = {}
        for _row, partner, payload in outgoing:
            number = payload.get("ContactNumber")
            xero_id = links[partner.id].xero_id
            if number and number != (current.get(xero_id) or {}).get("ContactNumber"):
                changed.setdefault(number, []).append((payload, xero_id))
        if not changed:
            return
        holders = {
            c["ContactNumber"]: c["ContactID"]
            for c in self.env["res.partner"]._xero_search_contacts(client, numbers=list(changed))
            if c.get("ContactNumber")
        }
        for number, uses in changed.items():
            for index, (payload, xero_id) in enumerate(uses):
                holder = holders.get(number)
                if (holder and holder != xero_id) or (not holder and index > 0):
                    payload.pop("ContactNumber")
                    _logger.info("Contact number %s is held by another Xero contact", number)

    # -- Odoo -> Xero: contacts created for exported documents ----------------------------
    @api.model
    def _create_contacts(self, connection, client, partners, result, errors):
        """Create ``partners`` as Xero contacts (one call per 50), each under its own key
        (partner + send generation) and "maybe sent" marker, committed before the call;
        Xero's answer settles them (see ``_adopt_created`` for the unknown outcomes)."""
        currencies = partners._xero_currencies(client)
        payloads = partners._xero_contact_payloads(connection, currencies)
        keys = {}
        with self._own_transaction() as rows_model:
            rows = rows_model._rows(connection, partners.ids)
            for partner in partners:
                row = rows[partner.id]
                vals = {"pending_name": payloads[partner.id].get("Name") or False}
                if not row.pending_key:
                    vals.update(
                        send_count=row.send_count + 1,
                        pending_key=row._key(row.send_count + 1),
                    )
                row.write(vals)
                keys[partner.id] = row.pending_key
        by_key = {keys[p.id]: p for p in partners}
        outcomes = client.send_batch(
            "contacts",
            [(keys[p.id], payloads[p.id], (p._name, p.id)) for p in partners],
            create_only=True,
        )
        settled, failure = {}, None
        for outcome in outcomes:
            partner = by_key[outcome.key]
            if outcome.ok and outcome.xero_id:
                partner._xero_link_contact(connection, outcome.record or {})
                result[partner.id] = outcome.xero_id
                settled[partner.id] = self._created(outcome.xero_id)
            elif outcome.exception is not None:
                failure = failure or outcome.exception  # unknown outcome: marker stays
            elif any(
                "contact name" in (e or "").lower() and "already" in (e or "").lower()
                for e in outcome.errors
            ):
                # The name is taken by a contact our lookup missed (e.g. created
                # meanwhile): look it up by name alone and link it.
                partner._xero_relink_by_name(connection, client, result, errors)
                settled[partner.id] = self._created(result.get(partner.id))
            else:
                errors[partner.id] = _(
                    "%(partner)s: %(errors)s",
                    partner=partner.display_name,
                    errors="; ".join(outcome.errors),
                )
                settled[partner.id] = dict(self._created(False), state="error")
                settled[partner.id]["error"] = errors[partner.id]
        self._settle(connection, settled)
        if failure is not None:
            raise failure

    @api.model
    def _created(self, xero_id):
        values = {
            "state": "sent",
            "error": False,
            "pending_key": False,
            "pending_name": False,
            "pending_hash": False,
        }
        if xero_id:
            values["xero_id"] = xero_id
        return values

    @api.model
    def _adopt_created(self, connection, client, partners, result, errors):
        """Partners whose contact Xero already holds from an earlier create (its link
        lost with a rolled-back transaction, or its answer lost) are linked to it: by
        the id Xero gave, else looked up by the name sent and the contact number,
        archived contacts included, whatever its age. Returns (the partners left, the
        ids of those left whose last create has no known outcome)."""
        rows = self.sudo().search(
            [
                ("connection_id", "=", connection.id),
                ("partner_id", "in", partners.ids),
                "|",
                ("xero_id", "!=", False),
                ("pending_key", "!=", False),
            ]
        )
        by_id = {r.partner_id.id: r.xero_id for r in rows if r.xero_id}
        unknown = {r.partner_id.id: r.pending_name for r in rows if r.pending_key and not r.xero_id}
        if not by_id and not unknown:
            return partners, set()
        found = {}
        if by_id:
            contacts = {
                c["ContactID"]: c
                for c in client.get_contacts(ids=list(by_id.values()), include_archived=True)
            }
            found = {pid: contacts[xid] for pid, xid in by_id.items() if xid in contacts}
        if unknown:
            names = [name for name in unknown.values() if name]
            numbers = [p.ref for p in partners.browse(list(unknown)) if p.ref]
            contacts = self.env["res.partner"]._xero_search_contacts(
                client, names=names, numbers=numbers
            )
            for pid, name in unknown.items():
                partner = partners.browse(pid)
                match = next(
                    (c for c in contacts if name and same_name(c.get("Name"), name)),
                    None,
                ) or next(
                    (c for c in contacts if partner.ref and c.get("ContactNumber") == partner.ref),
                    None,
                )
                if match:
                    found[pid] = match
        owners = (
            self.env["xero.link"]
            .sudo()
            ._records_by_xero_id(
                connection, "res.partner", "contact", [c["ContactID"] for c in found.values()]
            )
        )
        adopted, settled = partners.browse(), {}
        for pid, contact in found.items():
            partner = partners.browse(pid)
            owner = owners.get(contact["ContactID"])
            if owner and owner != partner:
                continue  # another partner's contact: this one is created anew
            adopted |= partner
            if contact.get("ContactStatus") == "ARCHIVED":
                errors[pid] = partner._xero_archived_message(pid)
                continue
            partner._xero_link_contact(connection, contact)
            result[pid] = contact["ContactID"]
            values = self._created(contact["ContactID"])
            if self.env["xero.import.contact"]._fingerprint(contact) != self._values_hash(
                partner._xero_contact_payloads(connection, None)[pid]
            ):
                # created from older values (e.g. renamed since): send the current ones
                values.update(state="queued", retry_at=False)
            settled[pid] = values
        self._settle(connection, settled)
        if any(v["state"] == "queued" for v in settled.values()):
            self.sudo()._xero_outbox_trigger()
        return partners - adopted, set(unknown) - set(adopted.ids)

    # -- Xero -> Odoo ------------------------------------------------------------------------
    @api.model
    def _update(self, connection, client, state):
        """Update: apply Xero's changes since the last one; returns counts."""
        self = self.with_company(connection.company_id)
        counts = {"updated": 0, "archived": 0, "conflicts": 0}
        watermark = None
        pages = client.iter_pages(
            "get_contacts",
            if_modified_since=state.modified_since or None,
            include_archived=True,
            page_size=PAGE_SIZE,
        )
        for records in pages:
            for rec in records:
                stamp = xero_datetime(rec.get("UpdatedDateUTC"))
                watermark = max(watermark, stamp) if watermark and stamp else (stamp or watermark)
            self._apply_xero_changes(connection, records, counts)
        state._done_update(watermark)
        return counts

    @api.model
    def _apply_xero_changes(self, connection, records, counts):
        """Apply Xero's version of the linked contacts among `records` (a change on
        both sides goes to the newer one); `counts` is updated in place."""
        importer = self.env["xero.import.contact"].with_company(connection.company_id)
        links = self.env["xero.link"].sudo()
        linked = importer._linked(connection, records)
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
        pending = {
            row.partner_id.id: row
            for row in self._pending(connection, [p.id for p in linked.values()])
        }
        for rec in records:
            partner = linked.get(rec["ContactID"])
            link = link_by_id.get(rec["ContactID"])
            fingerprint = importer._fingerprint(rec)
            if not partner or link.sync_hash == fingerprint:
                continue
            row = pending.get(partner.id)
            if row and row.pending_hash == fingerprint:
                # our own push, whose answer was lost: the push settles it
                importer._link(connection, partner, rec)
                continue
            if row:
                counts["conflicts"] = counts.get("conflicts", 0) + 1
                if not self._xero_wins(connection, partner, rec):
                    continue
                # Xero's newer version replaces Odoo's edit: nothing left to push
                row.write({"state": "sent", "error": False})
            outcome = importer._apply_update(connection, rec, partner)
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    @api.model
    def _apply_webhook(self, connection, contact_ids):
        """A CONTACT webhook: read those contacts from Xero and apply what changed to
        the partners linked to them (contacts Odoo does not follow cost no call)."""
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

    @api.model
    def _xero_wins(self, connection, partner, rec):
        """Both sides changed: the newer change wins; the loser is logged. True when
        Xero's version is to be applied."""
        importer = self.env["xero.import.contact"]
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
                    "sync_hash": importer._fingerprint(rec),
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
