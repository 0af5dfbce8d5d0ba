import base64

from odoo.tests import tagged

from .export_common import XeroExportCase


@tagged("post_install", "-at_install")
class TestExportNotesAndAttachments(XeroExportCase):
    def _attach(self, doc, name, size):
        return self.env["ir.attachment"].create(
            {
                "name": name,
                "res_model": doc._name,
                "res_id": doc.id,
                "datas": base64.b64encode(b"x" * size),
            }
        )

    def _history(self, doc):
        return self.sandbox.records(self.tenant, "History").get(doc.xero_id, [])

    def test_notes_go_to_history_split_at_250_characters(self):
        bill = self.make_move(post=False)
        long_note = "Checked against delivery note " + "and the pallet count " * 30
        bill.message_post(body=long_note, message_type="comment", subtype_xmlid="mail.mt_note")
        bill.message_post(
            body="Approved by Anna", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        bill.action_post()  # tracking noise: state changes are not notes
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        notes = [h["Details"] for h in self._history(bill) if h["Changes"] == "Note"]
        self.assertTrue(all(len(n) <= 250 for n in notes))
        self.assertGreaterEqual(len(notes), 3, "the long note is split")
        joined = " ".join(notes)
        self.assertIn("Checked against delivery note", joined)
        self.assertIn("Approved by Anna", notes[-1])
        self.assertNotIn("Posted", joined)
        # Later notes follow with the next update; earlier ones are not repeated.
        bill.button_draft()
        bill.message_post(
            body="Price corrected", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        bill.action_post()
        self.run_export()
        again = [h["Details"] for h in self._history(bill) if h["Changes"] == "Note"]
        self.assertEqual(len(again), len(notes) + 1)
        self.assertIn("Price corrected", again[-1])

    def test_eleven_attachments_and_an_oversized_one(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "xero_connector.attachment_max_bytes", "2000"
        )
        bill = self.make_move(post=False)
        for i in range(11):
            self._attach(bill, f"scan-{i:02d}.pdf", 100)
        self._attach(bill, "huge.pdf", 5000)
        bill.action_post()
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        files = self.sandbox.records(self.tenant, "Attachments").get(bill.xero_id, [])
        self.assertEqual(len(files), 10)
        self.assertIn("scan-10.pdf not attached in Xero", bill.xero_warning)
        self.assertIn("at most 10", bill.xero_warning)
        self.assertIn("huge.pdf not attached in Xero", bill.xero_warning)
        self.assertIn("larger than", bill.xero_warning)
        self.assertIn("huge.pdf", bill.message_ids[:1].body)
        failed = bill.xero_log_ids.filtered(
            lambda r: r.operation == "upload_attachment" and r.outcome == "error"
        )
        self.assertEqual(len(failed), 2)

    def test_attachment_xero_refuses_is_reported(self):
        self.sandbox.control("POST", "attachments/limit", {"max_bytes": 500})
        self.addCleanup(
            self.sandbox.control, "POST", "attachments/limit", {"max_bytes": 10 * 1024 * 1024}
        )
        bill = self.make_move(post=False)
        self._attach(bill, "ok.pdf", 100)
        self._attach(bill, "too-big-for-xero.pdf", 1000)
        bill.action_post()
        self.run_export()
        self.assertEqual(bill.xero_state, "sent")
        files = self.sandbox.records(self.tenant, "Attachments").get(bill.xero_id, [])
        self.assertEqual([f["FileName"] for f in files], ["ok.pdf"])
        self.assertIn("too-big-for-xero.pdf not attached in Xero", bill.xero_warning)

    def test_purchase_order_notes_and_attachments(self):
        order = self.make_po(confirm=False)
        order.message_post(
            body="Deliver to dock 3", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        self._attach(order, "quote.pdf", 200)
        order.button_confirm()
        self.run_export("purchase.order")
        self.assertEqual(order.xero_state, "sent", order.xero_error)
        self.assertIn("Deliver to dock 3", self._history(order)[-1]["Details"])
        files = self.sandbox.records(self.tenant, "Attachments").get(order.xero_id, [])
        self.assertEqual([f["FileName"] for f in files], ["quote.pdf"])

    def test_files_added_in_xero_count_towards_its_ten(self):
        bill = self.make_move()
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        client = self.connection._client()
        for i in range(8):  # a Xero user attaches files there
            client.upload_attachment("invoices", bill.xero_id, f"xero-{i}.pdf", b"%PDF-1")
        bill.button_draft()
        for i in range(3):
            self._attach(bill, f"odoo-{i}.pdf", 100)
        bill.action_post()
        since = self.mark()
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        uploads = [c for c in self.calls(since, method="PUT") if "/Attachments/" in c["path"]]
        self.assertEqual(len(uploads), 2, "the eleventh file is not even tried")
        self.assertTrue(all(c["status"] == 200 for c in uploads))
        files = self.sandbox.records(self.tenant, "Attachments").get(bill.xero_id, [])
        self.assertEqual(len(files), 10)
        self.assertIn("odoo-2.pdf not attached in Xero", bill.xero_warning)
        self.assertIn("at most 10", bill.xero_warning)

    # -- a lost answer never adds a note or a file twice ---------------------------------
    def _note(self, doc, text):
        doc.message_post(body=text, message_type="comment", subtype_xmlid="mail.mt_note")

    def _notes(self, doc):
        """The notes in Xero, without their author."""
        notes = [h["Details"] for h in self._history(doc) if h["Changes"] == "Note"]
        return [note.split(": ", 1)[-1] for note in notes]

    def test_notes_whose_answer_was_lost_are_not_added_twice(self):
        bill = self.make_move(post=False)
        self._note(bill, "Checked by Anna")
        bill.action_post()
        self.sandbox.inject("lost_response", 10, path="/History$", method="PUT")
        self.run_export()
        self.sandbox.clear_faults()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        self.assertEqual(self._notes(bill), ["Checked by Anna"], "Xero took it once")
        self.assertTrue(bill.xero_warning, "the lost answer is reported")
        # Xero keeps Idempotency-Keys for a while only: by the next send it has forgotten.
        self.sandbox.forget_idempotency_keys()
        # A later note follows with the next update; the first is not added again.
        bill.button_draft()
        self._note(bill, "Price corrected")
        bill.action_post()
        since = self.mark()
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        self.assertEqual(self._notes(bill), ["Checked by Anna", "Price corrected"])
        sent = self.calls(since, method="PUT", path="/History")
        self.assertEqual(len(sent), 1, "only the new note is sent")
        self.assertFalse(bill.xero_warning)

    def test_each_note_has_its_own_key_kept_on_retries(self):
        bill = self.make_move(post=False)
        self._note(bill, "First note")
        self._note(bill, "Second note")
        bill.action_post()
        since = self.mark()
        self.sandbox.inject("lost_response", 1, path="/History$", method="PUT")
        self.run_export()
        self.assertEqual(self._notes(bill), ["First note", "Second note"])
        puts = self.calls(since, method="PUT", path="/History")
        self.assertEqual(len(puts), 3, "one call per note, the lost one retried")
        self.assertEqual(puts[0]["idempotency_key"], puts[1]["idempotency_key"])
        self.assertNotEqual(puts[1]["idempotency_key"], puts[2]["idempotency_key"])
        self.assertFalse(bill.xero_warning)

    def test_attachments_whose_answer_was_lost_are_not_added_twice(self):
        bill = self.make_move(post=False)
        self._attach(bill, "delivery-note.pdf", 100)
        bill.action_post()
        since = self.mark()
        self.sandbox.inject("lost_response", 10, path="/Attachments/", method="PUT")
        self.run_export()
        self.sandbox.clear_faults()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        files = self.sandbox.records(self.tenant, "Attachments").get(bill.xero_id, [])
        self.assertEqual([f["FileName"] for f in files], ["delivery-note.pdf"])
        self.sandbox.forget_idempotency_keys()
        bill.button_draft()
        self._attach(bill, "signed-order.pdf", 100)
        bill.action_post()
        self.run_export()
        files = self.sandbox.records(self.tenant, "Attachments").get(bill.xero_id, [])
        self.assertEqual(
            sorted(f["FileName"] for f in files), ["delivery-note.pdf", "signed-order.pdf"]
        )
        uploads = [c for c in self.calls(since, method="PUT") if "/Attachments/" in c["path"]]
        first = [c for c in uploads if c["path"].endswith("/delivery-note.pdf")]
        self.assertEqual(len({c["idempotency_key"] for c in first}), 1, "one key for one file")
        self.assertNotIn(
            first[0]["idempotency_key"], {c["idempotency_key"] for c in uploads[len(first) :]}
        )
        self.assertFalse(bill.xero_warning)
