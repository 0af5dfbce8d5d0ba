from odoo import _, api, models
from odoo.tools import html2plaintext

from ..xero import XeroError, XeroResponseError, XeroTransientError, XeroValidationError
from ..xero.batch import derive_key, digest, split_text
from ..xero.mapping import documents as mapping
from .xero_log import log_refs

MAX_BYTES_PARAM = "xero_connector.attachment_max_bytes"


class XeroDocumentExtras(models.AbstractModel):
    """What follows a document into Xero once it is there: its chatter notes and
    messages (History & Notes), its attachments, and what it credits (``_xero_allocate``,
    implemented by account.move for credit notes).

    Each note and each file is its own call, under an Idempotency-Key of its own that
    stays the same on every retry (this database, the message or attachment, the Xero
    document, what is sent), and is marked done as soon as Xero accepted it: a note or
    file whose answer was lost is replayed by Xero, never added twice."""

    _inherit = "xero.document.mixin"

    def _xero_send_extras(self, connection, client, record):
        """Send what is new since the last time; returns warnings for the document."""
        self.ensure_one()
        client = client.concerning(log_refs(self))
        warnings = []
        for step in (self._xero_send_notes, self._xero_send_attachments, self._xero_allocate):
            try:
                warnings += step(client, record) or []
            except XeroError as exc:
                warnings.append(exc.user_message())
        return warnings

    def _xero_extra_key(self, client, source, content):
        """The Idempotency-Key of the note or file ``source`` (a mail.message or an
        ir.attachment) sent to this document in Xero with ``content``."""
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        return derive_key(
            "xero_extra",
            client.tenant_id,
            uuid,
            source._name,
            source.id,
            self.xero_id,
            digest(content),
        )

    def _xero_data(self):
        return dict(self.xero_sync_data or {})

    def _xero_notes(self):
        """Chatter notes and messages written by people (no tracking or system notes)."""
        upto = self._xero_data().get("history_upto", 0)
        messages = self.env["mail.message"].search(
            [
                ("model", "=", self._name),
                ("res_id", "=", self.id),
                ("message_type", "in", ("comment", "email")),
                ("id", ">", upto),
            ],
            order="id",
        )
        notes = []
        for message in messages:
            text = html2plaintext(message.body or "").strip()
            if text:
                author = message.author_id.name or message.email_from or ""
                notes.append((message.id, f"{author}: {text}" if author else text))
        return messages, notes

    def _xero_send_notes(self, client, record):
        messages, notes = self._xero_notes()
        if not messages:
            return []
        kind = self._xero_kind()
        data = self._xero_data()
        unsure = data.get("history_unsure")
        warnings = []
        for message_id, text in notes:
            # Xero may have taken it last time, its answer lost: look before sending.
            taken = message_id == unsure and self._xero_note_in_history(client, kind, text)
            if not taken:
                key = self._xero_extra_key(client, messages.browse(message_id), text)
                try:
                    client.add_history(kind, self.xero_id, text, idempotency_key=key)
                except XeroValidationError as exc:
                    # Said once, then not tried again: later notes must not wait on it.
                    warnings.append(_("A note was not added in Xero: %s", exc.user_message()))
                except (XeroTransientError, XeroResponseError) as exc:
                    # Xero may have added it (answer lost or unreadable): next time its
                    # History is read first, should Xero have forgotten the key by then.
                    if getattr(exc, "maybe_committed", True):
                        data["history_unsure"] = message_id
                        self._xero_write({"xero_sync_data": data})
                    raise
            data.pop("history_unsure", None)
            data["history_upto"] = message_id
            self._xero_write({"xero_sync_data": data})
        data["history_upto"] = max(messages.ids)
        self._xero_write({"xero_sync_data": data})
        return warnings

    def _xero_note_in_history(self, client, kind, text):
        """True when every part of the note ``text`` is a note of the document's
        History in Xero."""
        held = {
            h.get("Details")
            for h in client.get_history(kind, self.xero_id)
            if h.get("Changes") in ("Note", None)
        }
        return all(part in held for part in split_text(text))

    @api.model
    def _xero_max_attachment_bytes(self):
        value = self.env["ir.config_parameter"].sudo().get_param(MAX_BYTES_PARAM)
        return int(value) if value else mapping.MAX_ATTACHMENT_BYTES

    def _xero_send_attachments(self, client, record):
        data = self._xero_data()
        done = data.get("attachments", [])
        attachments = self.env["ir.attachment"].search(
            [
                ("res_model", "=", self._name),
                ("res_id", "=", self.id),
                ("id", "not in", done),
            ],
            order="id",
        )
        if not attachments:
            return []
        rows = [{"id": a.id, "name": a.name, "size": a.file_size} for a in attachments]
        kind = self._xero_kind()
        # Xero's 10 files count what the document holds there, added in Xero too; a
        # file of the same name is replaced, not added.
        names = {a.name for a in attachments}
        held = [
            f for f in client.get_attachments(kind, self.xero_id) if f.get("FileName") not in names
        ]
        send, skipped = mapping.attachment_plan(
            rows, already=len(held), max_bytes=self._xero_max_attachment_bytes()
        )
        for row in send:
            attachment = attachments.browse(row["id"])
            raw = attachment.raw
            key = self._xero_extra_key(client, attachment, [attachment.name, digest(raw)])
            try:
                client.upload_attachment(
                    kind, self.xero_id, attachment.name, raw, idempotency_key=key
                )
            except XeroValidationError as exc:
                skipped.append((row, exc.user_message()))
                continue
            done.append(attachment.id)
            data["attachments"] = done
            self._xero_write({"xero_sync_data": data})
        # Skipped files are said once, then not tried again.
        done.extend(row["id"] for row, _reason in skipped)
        data["attachments"] = done
        self._xero_write({"xero_sync_data": data})
        if not skipped:
            return []
        lines = [
            _("%(name)s not attached in Xero: %(reason)s", name=row["name"], reason=reason)
            for row, reason in skipped
        ]
        connection = self.xero_connection_id
        for line in lines:
            event = {"operation": "upload_attachment", "outcome": "failed", "xero_message": line}
            self.env["xero.log"]._log_event(connection, event, record=self)
        return lines

    def _xero_allocate(self, client, record):
        """Apply the document in Xero to what it credits; returns warnings. Nothing for
        most documents: account.move allocates a credit note to the invoice it reverses."""
        return []
