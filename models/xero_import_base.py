import logging
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..xero import parse_date
from ..xero.batch import digest
from .xero_integrated_mixin import XERO_SYNC
from .xero_words import RECORD_STATUS_LABELS, label

_logger = logging.getLogger(__name__)

PAGE_SIZE = 100


def json_safe(value):
    """Xero's JSON as the client decoded it (numbers as Decimal), made storable."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    return value


def xero_datetime(value):
    """Xero's UpdatedDateUTC as a naive UTC datetime for Odoo, or False."""
    moment = parse_date(value)
    if not moment or not hasattr(moment, "tzinfo"):
        return False
    return moment.replace(tzinfo=None)


VOLATILE_KEYS = {
    "UpdatedDateUTC",
    "StatusAttributeString",
    "ValidationErrors",
    "Warnings",
    "HasValidationErrors",
    "HasErrors",
}


class XeroImportBase(models.AbstractModel):
    """What every importer does: list Xero records for the wizard with their Odoo
    match, import the chosen ones (Xero wins on first mapping), and apply Xero's
    changes to what is already integrated (Update).

    Concrete importers set the class attributes and implement ``_fetch_all`` (or
    ``_fetch``), ``_values`` and the describe hooks."""

    _name = "xero.import.base"
    _description = "Xero Import (base)"

    _object_type = None  # xero.sync.state object_type
    _xero_type = None  # xero.link xero_type
    _res_model = None
    _id_field = None
    _queue_batch = 500  # records per background import batch

    # -- reading Xero ------------------------------------------------------------------
    def _fetch_all(self, client, search=None):
        raise NotImplementedError

    def _fetch(self, client, search=None, offset=0, limit=PAGE_SIZE):
        """(records, has_more, total) from ``offset``: Xero answers these types whole,
        the wizard shows them ``limit`` at a time."""
        records = self._fetch_all(client, search)
        return records[offset : offset + limit], offset + limit < len(records), len(records)

    # -- describing ----------------------------------------------------------------
    def _xero_id(self, rec):
        return rec.get(self._id_field)

    def _xero_name(self, rec):
        return rec.get("Name") or ""

    def _xero_code(self, rec):
        return rec.get("Code") or False

    def _xero_status(self, rec):
        return rec.get("Status") or "ACTIVE"

    def _kind_label(self, rec):
        return False

    def _details(self, rec):
        """More about ``rec`` for the wizard (e.g. a category's options)."""
        return False

    def _status_label(self, rec):
        return label(self.env, RECORD_STATUS_LABELS, self._xero_status(rec))

    def _refusal(self, connection, rec):
        """Why ``rec`` cannot be imported, or None."""
        return None

    def _find_existing(self, connection, records):
        """{xero id: Odoo record} for not-yet-linked records that match Odoo data."""
        return {}

    def _linked(self, connection, records):
        ids = [self._xero_id(r) for r in records]
        return (
            self.env["xero.link"]
            .sudo()
            ._records_by_xero_id(connection, self._res_model, self._xero_type, ids)
        )

    def _match(self, connection, records):
        """{xero id: (Odoo record, linked?)}: the link first, then Odoo's own data."""
        linked = self._linked(connection, records)
        todo = [r for r in records if self._xero_id(r) not in linked]
        found = self._find_existing(connection, todo) if todo else {}
        out = {xid: (rec, True) for xid, rec in linked.items()}
        out.update({xid: (rec, False) for xid, rec in found.items()})
        return out

    def _describe(self, connection, records):
        """Wizard line values for ``records``."""
        matches = self._match(connection, records)
        lines = []
        for rec in records:
            record, linked = matches.get(self._xero_id(rec), (None, False))
            reason = self._refusal(connection, rec)
            lines.append(
                {
                    "xero_id": self._xero_id(rec),
                    "name": self._xero_name(rec),
                    "code": self._xero_code(rec),
                    "xero_kind": self._kind_label(rec),
                    "details": self._details(rec),
                    "xero_status": self._status_label(rec),
                    "importable": not reason,
                    "reason": reason or False,
                    "integrated": linked,
                    "match_model": record._name if record else False,
                    "match_id": record[:1].id if record else False,
                    "match_name": ", ".join(record.mapped("display_name")) if record else False,
                    "payload": json_safe(rec),
                }
            )
        return lines

    # -- importing ----------------------------------------------------------------
    def _values(self, connection, rec):
        """Odoo values owned by Xero for ``rec`` (used on create and on update)."""
        raise NotImplementedError

    def _create_values(self, connection, rec, values):
        return values

    def _link_values(self, rec):
        return {
            "xero_name": self._xero_name(rec),
            "xero_code": self._xero_code(rec),
            "xero_status": self._xero_status(rec),
            "xero_updated_at": xero_datetime(rec.get("UpdatedDateUTC")),
            "odoo_synced_at": fields.Datetime.now(),
            "sync_hash": self._fingerprint(rec),
        }

    def _fingerprint(self, rec):
        """What changes when Xero's record really changes (not its timestamps)."""
        return digest({k: v for k, v in rec.items() if k not in VOLATILE_KEYS})

    def _link(self, connection, record, rec):
        return (
            self.env["xero.link"]
            .sudo()
            ._set(connection, record, self._xero_type, self._xero_id(rec), **self._link_values(rec))
        )

    def _write(self, record, values):
        record.with_context(xero_sync=XERO_SYNC).write(values)

    def _import(self, connection, records):
        """Import Xero ``records``; returns (counts, errors). Importing twice is harmless:
        linked records are updated, matching ones linked, the rest created in one batch."""
        counts = {"created": 0, "linked": 0, "updated": 0}
        errors = []
        matches = self._match(connection, records)
        to_create = []
        for rec in records:
            reason = self._refusal(connection, rec)
            if reason:
                errors.append(f"{self._xero_name(rec)}: {reason}")
                continue
            try:
                values = self._values(connection, rec)
            except ValueError as exc:
                errors.append(f"{self._xero_name(rec)}: {exc}")
                continue
            record, linked = matches.get(self._xero_id(rec), (None, False))
            if record:
                try:
                    with self.env.cr.savepoint():
                        self._write(record, values)
                        self._link(connection, record, rec)
                        self._after_import(connection, rec, record)
                except (UserError, ValidationError) as exc:
                    errors.append(f"{self._xero_name(rec)}: {exc}")
                    continue
                counts["updated" if linked else "linked"] += 1
            else:
                to_create.append((rec, self._create_values(connection, rec, values)))
        if to_create:
            try:
                with self.env.cr.savepoint():
                    created = self._create_batch(connection, to_create)
            except (UserError, ValidationError):
                # one record spoils the batch: create them one by one to name it
                created = self.env[self._res_model]
                for item in to_create:
                    try:
                        with self.env.cr.savepoint():
                            created |= self._create_batch(connection, [item])
                    except (UserError, ValidationError) as exc:
                        errors.append(f"{self._xero_name(item[0])}: {exc}")
            counts["created"] += len(created)
        return counts, errors

    def _create_batch(self, connection, to_create):
        """Create [(xero record, values)] in one call and link them."""
        # No chatter message or tracking per imported record (as Odoo's own import).
        created = (
            self.env[self._res_model]
            .with_context(
                xero_sync=XERO_SYNC,
                tracking_disable=True,
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
            )
            .create([vals for _rec, vals in to_create])
        )
        # New records have no link yet: create them all in one go.
        self.env["xero.link"].sudo().create(
            [
                dict(
                    self._link_values(rec),
                    connection_id=connection.id,
                    res_model=record._name,
                    res_id=record.id,
                    xero_type=self._xero_type,
                    xero_id=self._xero_id(rec),
                )
                for (rec, _vals), record in zip(to_create, created, strict=True)
            ]
        )
        for (rec, _vals), record in zip(to_create, created, strict=True):
            self._after_import(connection, rec, record)
        return created

    def _after_import(self, connection, rec, record):
        """Hook after a record is imported or updated (e.g. tracking options)."""

    # -- Update ----------------------------------------------------------------------
    def _changed(self, client, state):
        """(Xero records that may have changed since the last Update, new watermark).
        Types without If-Modified-Since are read whole and compared."""
        return self._fetch_all(client), None

    def _archive(self, record):
        self._write(record, {"active": False})

    def _is_archived(self, rec):
        return self._xero_status(rec) in ("ARCHIVED", "DELETED")

    def _update(self, connection, client, state):
        """Apply Xero's changes to the integrated records; returns counts."""
        counts = {"updated": 0, "archived": 0}
        records, watermark = self._changed(client, state)
        if records:
            links = self.env["xero.link"].sudo()
            linked = self._linked(connection, records)
            hashes = {
                link.xero_id: link.sync_hash
                for link in links.search(
                    [
                        ("connection_id", "=", connection.id),
                        ("xero_type", "=", self._xero_type),
                        ("xero_id", "in", list(linked)),
                    ]
                )
            }
            for rec in records:
                record = linked.get(self._xero_id(rec))
                if not record or hashes.get(self._xero_id(rec)) == self._fingerprint(rec):
                    continue
                outcome = self._apply_update(connection, rec, record)
                counts[outcome] = counts.get(outcome, 0) + 1
        state._done_update(watermark)
        return counts

    def _apply_update(self, connection, rec, record):
        """Write Xero's values to ``record``: "archived", "updated", or "failed" (Odoo
        refused them; the record stays as it was and the sync log says why)."""
        archived = self._is_archived(rec)
        try:
            with self.env.cr.savepoint():
                if archived:
                    self._archive(record)
                else:
                    self._write(record, self._values(connection, rec))
                self._link(connection, record, rec)
                self._after_import(connection, rec, record)
        except (ValueError, UserError, ValidationError) as exc:
            self.env["xero.log"]._log_event(
                connection,
                {
                    "operation": f"update_{self._object_type}",
                    "outcome": "error",
                    "xero_message": self.env._(
                        "%(record)s was not updated from Xero: %(error)s",
                        record=record.display_name,
                        error=exc,
                    ),
                },
                record=record,
            )
            return "failed"
        return "archived" if archived else "updated"

    @api.model
    def _importer(self, object_type):
        return self.env[f"xero.import.{object_type}"]

    def _message(self, counts):
        translate = self.env._
        return ", ".join(
            translate("%(count)s %(what)s", count=count, what=what)
            for what, count in counts.items()
            if count
        )
