from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .payment_common import XeroPaymentCase


@tagged("post_install", "-at_install")
class TestPaymentsToXero(XeroPaymentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.xero_push_payments = True
        accounts = cls.env["xero.bank.account"]._xero_load(cls.connection)
        cls.xero_bank = accounts.filtered(lambda a: a.code == "090")
        cls.bank_journal.xero_bank_account_id = cls.xero_bank

    def test_bank_accounts_are_read_from_xero(self):
        accounts = self.env["xero.bank.account"].search(
            [("connection_id", "=", self.connection.id)]
        )
        self.assertEqual(set(accounts.mapped("code")), {"090", "091", "092"})
        self.assertEqual(self.xero_bank.display_name, "090 Business Bank Account (USD)")

    def test_odoo_payment_is_sent_to_xero(self):
        bill = self.exported()  # 115
        payment = self.register_payment(bill)
        self.assertEqual(payment.xero_push_state, "queued")
        self.assertEqual(payment.xero_origin, "odoo")
        self.run_push()
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)
        xero = self.xero_payments(bill)
        self.assertEqual(len(xero), 1)
        self.assertEqual(payment.xero_payment_id, xero[0]["PaymentID"])
        self.assertEqual(xero[0]["Amount"], 115.0)
        self.assertEqual(xero[0]["Account"]["Code"], "090")
        self.assertEqual(xero[0]["Reference"], payment.name)
        self.assertEqual(self.xero_doc(bill)["Status"], "PAID")
        # Sending again sends nothing.
        since = self.mark()
        self.run_push()
        self.assertFalse(self.calls(since, method="PUT", path="/Payments"))

    def test_partial_odoo_payment(self):
        invoice = self.exported("out_invoice", partner=self.customer)  # 115
        payment = self.register_payment(invoice, amount=40)
        self.run_push()
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)
        doc = self.xero_doc(invoice)
        self.assertEqual((doc["AmountPaid"], doc["AmountDue"]), (40.0, 75.0))
        self.assertEqual(doc["Status"], "AUTHORISED")

    def test_cancelled_odoo_payment_is_deleted_in_xero(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=60)
        self.run_push()
        xero_id = payment.xero_payment_id
        payment.action_cancel()
        self.assertEqual(payment.xero_push_state, "to_delete", "once Odoo's cancel commits")
        self.run_push()
        self.assertEqual(payment.xero_push_state, "deleted")
        deleted = [p for p in self.xero_payments(bill, status=None) if p["PaymentID"] == xero_id]
        self.assertEqual(deleted[0]["Status"], "DELETED")
        self.assertEqual(self.xero_doc(bill)["AmountDue"], 115.0)
        # Reading Xero afterwards brings nothing back.
        self.run_sync()
        self.assertEqual(len(self.odoo_payments(bill)), 1)
        self.assertEqual(payment.state, "canceled")
        self.assertFalse(bill.xero_attention)

    def test_no_ping_pong(self):
        bill = self.exported()
        # Made in Odoo, sent to Xero: reading Xero does not record it a second time.
        payment = self.register_payment(bill, amount=30)
        self.run_push()
        count = self.env["account.payment"].search_count([])
        self.run_sync()
        self.assertEqual(self.env["account.payment"].search_count([]), count)
        # Made in Xero, read into Odoo: never sent back.
        self.pay_in_xero(bill, 20)
        self.run_sync()
        pulled = self.odoo_payments(bill) - payment
        self.assertEqual(pulled.xero_origin, "xero")
        self.assertEqual(pulled.xero_push_state, "not_sent")
        since = self.mark()
        self.run_push()
        self.assertFalse(self.calls(since, method="PUT", path="/Payments"))
        self.assertEqual(len(self.xero_payments(bill)), 2)
        # Cancelling the one made in Xero does not touch Xero.
        pulled.action_cancel()
        self.assertFalse(
            self.calls(since, method="POST", path=f"/Payments/{pulled.xero_payment_id}")
        )

    def test_payment_lost_answer_is_adopted_not_duplicated(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=25)
        # Xero records it, but every answer is lost (the client's retries included).
        self.sandbox.inject("lost_response", 4, path="/Payments$", method="PUT")
        self.run_push()
        self.sandbox.clear_faults()
        self.assertFalse(payment.xero_payment_id)
        self.assertEqual(payment.xero_push_state, "queued", "kept for a retry")
        # Whatever became of the lost call, Odoo ends with one payment and Xero with one.
        self.run_sync()
        self.run_push()
        self.assertEqual(len(self.xero_payments(bill)), 1)
        self.assertEqual(payment.xero_payment_id, self.xero_payments(bill)[0]["PaymentID"])
        self.assertEqual(len(self.odoo_payments(bill)), 1)

    def test_refused_when_journal_has_no_xero_bank_account(self):
        other = self.bank_journal.copy({"name": "Other bank", "code": "OTB"})
        bill = self.exported()
        payment = self.register_payment(bill, journal=other)
        since = self.mark()
        self.run_push()
        self.assertEqual(payment.xero_push_state, "error")
        self.assertIn("has no Xero bank account", payment.xero_push_error)
        self.assertFalse(self.calls(since, method="PUT", path="/Payments"))
        other.xero_bank_account_id = self.xero_bank
        payment.action_xero_send()
        self.run_push()
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)

    def test_refused_when_document_not_approved_in_xero(self):
        self.company.xero_document_status = "SUBMITTED"
        bill = self.exported()
        payment = self.register_payment(bill)
        self.run_push()
        self.assertEqual(payment.xero_push_state, "error")
        self.assertIn("Awaiting Approval", payment.xero_push_error)

    def test_refused_when_one_payment_settles_two_documents(self):
        bills = self.exported() | self.exported(ref="SUP-2")
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=bills.ids)
            .create({"journal_id": self.bank_journal.id, "group_payment": True})
        )
        payment = wizard._create_payments()
        self.run_push()
        self.assertEqual(payment.xero_push_state, "error")
        self.assertIn("one document per payment", payment.xero_push_error)

    def test_payment_not_on_a_xero_document_stays_out(self):
        bill = self.make_move(post=True)
        bill.xero_state = "not_sent"
        payment = self.register_payment(bill)
        since = self.mark()
        self.run_push()
        self.assertEqual(payment.xero_push_state, "not_sent")
        self.assertFalse(self.calls(since, method="PUT", path="/Payments"))

    def test_push_off_sends_nothing(self):
        self.company.xero_push_payments = False
        bill = self.exported()
        payment = self.register_payment(bill)
        self.assertEqual(payment.xero_push_state, "not_sent")

    def test_outstanding_payment_added_later_is_sent(self):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "outbound",
                "partner_type": "supplier",
                "partner_id": self.vendor.id,
                "amount": 70.0,
                "journal_id": self.bank_journal.id,
            }
        )
        payment.action_post()
        self.run_push()
        self.assertEqual(payment.xero_push_state, "not_sent", "on no document yet")
        bill = self.exported()  # 115
        line = payment.move_id.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "liability_payable"
        )
        bill.js_assign_outstanding_line(line.id)
        self.assertEqual(payment.xero_push_state, "queued")
        self.run_push()
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)
        self.assertEqual(self.xero_payments(bill)[0]["Amount"], 70.0)

    def test_sent_payment_deleted_in_xero_is_flagged_not_cancelled(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=45)
        self.run_push()
        self.connection._client().delete_payment(payment.xero_payment_id)
        self.run_sync()
        self.assertNotEqual(payment.state, "canceled", "a person decides")
        self.assertEqual(payment.xero_push_state, "deleted")
        self.assertIn(f"{payment.name}, sent from Odoo, was deleted in Xero", bill.xero_attention)

    def test_refund_payment_on_a_vendor_credit_note_is_sent(self):
        note = self.exported("in_refund")
        payment = self.register_payment(note, amount=15)
        self.assertEqual(payment.payment_type, "inbound")
        self.run_push()
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)
        xero = self.xero_payments(note)
        self.assertEqual((len(xero), xero[0]["Amount"]), (1, 15.0))

    def test_rate_limit_keeps_the_payment_queued_and_reschedules(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=10)
        self.sandbox.inject("429", 50, retry_after=120, path="/Payments$", method="PUT")
        self.addCleanup(self.env["xero.rate.budget"]._reset, self.tenant)
        self.run_push()
        self.assertEqual(payment.xero_push_state, "queued")
        self.assertIn("rate limit", payment.xero_push_error)
        cron = self.env.ref("xero_connector.ir_cron_xero_payment_push")
        triggers = self.env["ir.cron.trigger"].search(
            [
                ("cron_id", "=", cron.id),
                ("call_at", ">=", fields.Datetime.now() + timedelta(seconds=60)),
            ]
        )
        self.assertTrue(triggers, "sent again at Xero's retry time")
        since = self.mark()
        self.run_push()
        self.assertFalse(self.calls(since), "nothing is tried before the retry time")
        self.sandbox.clear_faults()
        self.env["xero.rate.budget"]._reset(self.tenant)
        payment.xero_push_retry_at = fields.Datetime.now() - timedelta(seconds=1)
        self.run_push()
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)
        self.assertEqual(len(self.xero_payments(bill)), 1)

    def test_a_404_page_on_deleting_a_payment_is_not_taken_for_already_gone(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=60)
        self.run_push()
        xero_id = payment.xero_payment_id
        payment.action_cancel()
        self.assertEqual(payment.xero_push_state, "to_delete")
        self.sandbox.inject("404_html", 1, path=f"/Payments/{xero_id}$", method="POST")
        self.run_push()
        payment.invalidate_recordset()
        # Not taken for "already gone": still to delete, with the reason, retried later.
        self.assertEqual(payment.xero_push_state, "to_delete")
        self.assertEqual(payment.xero_payment_id, xero_id)
        self.assertTrue(payment.xero_push_error)
        self.assertTrue(payment.xero_push_retry_at)
        live = [p for p in self.xero_payments(bill, status=None) if p["PaymentID"] == xero_id]
        self.assertEqual(live[0]["Status"], "AUTHORISED")
        # The next attempt deletes it.
        payment.xero_push_retry_at = fields.Datetime.now() - timedelta(seconds=1)
        self.run_push()
        self.assertEqual(payment.xero_push_state, "deleted", payment.xero_push_error)
        live = [p for p in self.xero_payments(bill, status=None) if p["PaymentID"] == xero_id]
        self.assertEqual(live[0]["Status"], "DELETED")
