from odoo.exceptions import UserError
from odoo.tests import tagged

from .export_common import XeroExportCase


@tagged("post_install", "-at_install")
class TestExportChangesAndCancel(XeroExportCase):
    def _sent_bill(self, **kw):
        bill = self.make_move(**kw)
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        return bill

    def test_bill_reset_to_draft_and_posted_again_sends_the_update(self):
        bill = self._sent_bill(lines=[{"price_unit": 100.0}])
        line_id = bill.invoice_line_ids.xero_line_id
        bill.button_draft()
        self.assertEqual(bill.xero_state, "changed")
        bill.invoice_line_ids.price_unit = 120.0
        bill.action_post()
        self.assertEqual(bill.xero_state, "queued")
        since = self.mark()
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        doc = self.xero_doc(bill)
        self.assertEqual(doc["Total"], 138.0)
        self.assertEqual(doc["LineItems"][0]["LineItemID"], line_id)
        self.assertEqual(len(self.calls(since, method="POST", path="/Invoices")), 1)
        self.assertFalse(self.calls(since, method="PUT", path="/Invoices"), "no second document")
        self.assertEqual(len(self.xero_docs(Url=doc["Url"])), 1)

    def test_update_refused_once_approved_in_xero(self):
        bill = self._sent_bill()
        self.sandbox.put_records(
            self.tenant, "Invoices", [{"InvoiceID": bill.xero_id, "Status": "AUTHORISED"}]
        )
        bill.button_draft()
        bill.invoice_line_ids.price_unit = 999.0
        bill.action_post()
        self.run_export()
        self.assertEqual(bill.xero_state, "error")
        self.assertIn("Approved in Xero: changes are not sent; revise it in Xero", bill.xero_error)
        self.assertEqual(self.xero_doc(bill)["Total"], 115.0)

    def test_cancel_deletes_awaiting_approval_bill(self):
        bill = self._sent_bill()
        bill.button_draft()
        bill.button_cancel()
        self.assertEqual(bill.state, "cancel")
        self.assertEqual(bill.xero_state, "cancelled")
        self.assertEqual(self.xero_doc(bill)["Status"], "DELETED")

    def test_cancel_voids_approved_unpaid_bill(self):
        self.company.xero_document_status = "AUTHORISED"
        bill = self._sent_bill()
        self.assertEqual(bill.xero_status, "AUTHORISED")
        bill.button_draft()
        bill.button_cancel()
        self.assertEqual(bill.xero_state, "cancelled")
        self.assertEqual(bill.xero_status, "VOIDED")
        self.assertEqual(self.xero_doc(bill)["Status"], "VOIDED")

    def test_cancel_blocked_when_paid_in_xero(self):
        self.company.xero_document_status = "AUTHORISED"
        bill = self._sent_bill()
        self.sandbox.pay(self.tenant, bill.xero_id, amount=50.0)
        bill.button_draft()
        with self.assertRaises(UserError) as refused:  # rolls back like the request
            bill.button_cancel()
        self.assertIn("payments or credits allocated in Xero", str(refused.exception))
        bill.invalidate_recordset()
        self.assertEqual(bill.state, "draft")
        self.assertEqual(self.xero_doc(bill)["Status"], "AUTHORISED")

    def test_cancel_of_a_queued_bill_just_unqueues_it(self):
        bill = self.make_move()
        self.assertEqual(bill.xero_state, "queued")
        bill.button_draft()
        bill.button_cancel()
        self.assertEqual(bill.xero_state, "not_sent")
        since = self.mark()
        self.run_export()
        self.assertFalse(self.calls(since, path="/Invoices"))

    def test_credit_note_update_keeps_its_xero_document(self):
        refund = self.make_move("in_refund", ref="SUP-CN-1", lines=[{"price_unit": 40.0}])
        self.run_export()
        first = self.xero_doc(refund)
        refund.button_draft()
        refund.invoice_line_ids.price_unit = 50.0
        refund.action_post()
        self.run_export()
        self.assertEqual(refund.xero_state, "sent", refund.xero_error)
        second = self.xero_doc(refund)
        self.assertEqual(second["CreditNoteID"], first["CreditNoteID"])
        self.assertEqual(second["Total"], 57.5)
        self.assertEqual(len(self.xero_docs("CreditNotes", Type="ACCPAYCREDIT")), 1)

    def test_cancel_after_a_lost_answer_finds_and_deletes_the_xero_bill(self):
        bill = self.make_move()
        self.sandbox.inject("lost_response", 10, path="/Invoices$", method="PUT")
        self.run_export()
        self.sandbox.clear_faults()
        self.assertFalse(bill.xero_id)
        self.assertTrue(bill.xero_pending_key)
        bill.button_draft()
        bill.button_cancel()
        self.assertEqual(bill.xero_state, "cancelled")
        self.assertTrue(bill.xero_id, "found in Xero by its link back")
        self.assertEqual(self.xero_doc(bill)["Status"], "DELETED")

    def test_documents_created_as_draft_when_chosen(self):
        self.company.xero_document_status = "DRAFT"
        bill = self._sent_bill()
        self.assertEqual(self.xero_doc(bill)["Status"], "DRAFT")

    def test_update_of_a_bill_deleted_in_xero_is_refused_with_the_reason(self):
        bill = self._sent_bill()
        self.sandbox.put_records(
            self.tenant, "Invoices", [{"InvoiceID": bill.xero_id, "Status": "DELETED"}]
        )
        bill.button_draft()
        bill.action_post()
        self.run_export()
        self.assertEqual(bill.xero_state, "error")
        self.assertIn("deleted or voided in Xero", bill.xero_error)

    def test_a_404_page_is_not_proof_that_xero_deleted_the_bill(self):
        bill = self._sent_bill()
        status = self.xero_doc(bill)["Status"]
        bill.button_draft()
        # Something in front of Xero answers an HTML 404 to the lookup before cancelling.
        self.sandbox.inject("404_html", 1, path=f"/Invoices/{bill.xero_id}$", method="GET")
        with self.assertRaisesRegex(UserError, "could not be reached"):
            bill.button_cancel()
        bill.invalidate_recordset()
        self.assertNotEqual(bill.xero_state, "cancelled")
        self.assertNotEqual(bill.xero_status, "DELETED")
        self.assertEqual(self.xero_doc(bill)["Status"], status)

    def test_partners_whose_names_xero_filters_cannot_hold_are_exported(self):
        Partner = self.env["res.partner"]
        odd = Partner.create({"name": 'Acme "Global" Ltd', "is_company": True})
        slash = Partner.create({"name": "Back\\slash Supplies", "is_company": True})
        plain = Partner.create({"name": "Plain Paper Co", "is_company": True})
        existing = "0d1d2d3d-4d5d-4e6e-8f7f-a0a1a2a3a4a5"
        self.sandbox.put_records(
            self.tenant,
            "Contacts",
            [
                {
                    "ContactID": existing,
                    "Name": odd.name,
                    "ContactStatus": "ACTIVE",
                    "UpdatedDateUTC": "/Date(1700000000000+0000)/",
                }
            ],
        )
        bills = [self.make_move(partner=p, ref=f"Q-{p.id}") for p in (odd, slash, plain)]
        since = self.mark()
        self.run_export()
        for bill in bills:
            self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        names = {c["Name"] for c in self.sandbox.records(self.tenant, "Contacts")}
        self.assertLessEqual({odd.name, slash.name, plain.name}, names)
        reads = self.calls(since, method="GET", path="/Contacts")
        self.assertTrue(reads)
        self.assertFalse([c for c in reads if c["status"] != 200])
        self.assertFalse([c for c in reads if "%5C%22" in c["query"]])
        # Already in Xero under that name: found and used, not created twice.
        self.assertEqual(self.xero_doc(bills[0])["Contact"]["ContactID"], existing)
        self.assertEqual(
            len(
                [c for c in self.sandbox.records(self.tenant, "Contacts") if c["Name"] == odd.name]
            ),
            1,
        )
