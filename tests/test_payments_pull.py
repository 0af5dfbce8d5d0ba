import time
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import format_date, formatLang

from ..xero import parse_date
from ..xero.mapping import payment as pay_map
from .payment_common import XeroPaymentCase


@tagged("post_install", "-at_install")
class TestPaymentsFromXero(XeroPaymentCase):
    def test_full_payment_in_xero_pays_the_bill(self):
        bill = self.exported(lines=[{"price_unit": 100.0, "quantity": 2}])
        self.assertEqual(bill.xero_status, "AUTHORISED")
        self.pay_in_xero(bill)
        self.run_sync()
        self.assertEqual(bill.payment_state, "paid")
        self.assertEqual(bill.xero_status, "PAID")
        self.assertEqual(bill.xero_status_label, "Paid")
        payment = self.odoo_payments(bill)
        self.assertEqual(len(payment), 1)
        xero_payment = self.xero_payments(bill)[0]
        self.assertEqual(payment.xero_payment_id, xero_payment["PaymentID"])
        self.assertEqual(payment.xero_origin, "xero")
        self.assertEqual(payment.amount, 230.0)
        self.assertEqual(payment.payment_type, "outbound")
        self.assertEqual(payment.journal_id, self.company.xero_payment_journal_id)
        self.assertEqual(payment.journal_id.name, "Xero payments")
        self.assertEqual(payment.journal_id.type, "bank")
        self.assertFalse(bill.xero_attention)

    def test_partial_payments_leave_the_right_residual(self):
        bill = self.exported(lines=[{"price_unit": 200.0}])  # 230 with tax
        self.pay_in_xero(bill, 100)
        self.run_sync()
        self.assertEqual(bill.payment_state, "partial")
        self.assertAlmostEqual(bill.amount_residual, 130.0)
        self.assertEqual(bill.xero_status, "AUTHORISED")
        self.pay_in_xero(bill, 130)
        self.run_sync()
        self.assertEqual(bill.payment_state, "paid")
        self.assertEqual(len(self.odoo_payments(bill)), 2)
        self.assertEqual(bill.xero_status, "PAID")

    def test_customer_invoice_payment_is_a_receipt(self):
        invoice = self.exported("out_invoice", partner=self.customer)
        self.pay_in_xero(invoice, 15)
        self.run_sync()
        payment = self.odoo_payments(invoice)
        self.assertEqual(payment.payment_type, "inbound")
        self.assertEqual(payment.partner_type, "customer")
        self.assertAlmostEqual(invoice.amount_residual, 100.0)

    def test_running_the_sync_twice_changes_nothing(self):
        bill = self.exported()
        self.pay_in_xero(bill, 50)
        self.run_sync()
        payments = self.env["account.payment"].search([])
        lines = self.env["account.move.line"].search_count([])
        messages = self.env["mail.message"].search_count([])
        self.run_sync()
        self.run_sync()
        self.assertEqual(self.env["account.payment"].search([]), payments)
        self.assertEqual(self.env["account.move.line"].search_count([]), lines)
        self.assertEqual(self.env["mail.message"].search_count([]), messages)
        self.assertAlmostEqual(bill.amount_residual, 65.0)

    def test_next_run_starts_from_the_newest_change_seen_in_xero(self):
        bill = self.exported()
        self.pay_in_xero(bill, 50)
        self.run_sync()
        states = self.env["xero.sync.state"]
        cursor = states._cursor(self.connection, "payments")
        stamp = parse_date(self.xero_payments(bill)[0]["UpdatedDateUTC"])
        self.assertEqual(cursor, stamp.replace(microsecond=0, tzinfo=None) - timedelta(seconds=1))
        self.assertTrue(states._cursor(self.connection, "invoices"))

    def test_payment_deleted_in_xero_is_cancelled_in_odoo(self):
        bill = self.exported()
        self.pay_in_xero(bill)
        self.run_sync()
        self.assertEqual(bill.payment_state, "paid")
        payment = self.odoo_payments(bill)
        self.connection._client().delete_payment(payment.xero_payment_id)
        self.run_sync()
        self.assertEqual(payment.state, "canceled")
        self.assertEqual(bill.payment_state, "not_paid")
        self.assertAlmostEqual(bill.amount_residual, 115.0)
        self.assertEqual(bill.xero_status, "AUTHORISED")
        # Once more: nothing left to do.
        self.run_sync()
        self.assertEqual(len(self.odoo_payments(bill)), 1)

    def test_payment_in_another_currency_at_xero_rate(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        bill = self.exported(currency_id=eur.id, lines=[{"price_unit": 80.0}])  # 92 EUR
        # Xero's rate for this bill: 0.8 EUR per USD (the organisation's base currency).
        self.sandbox.put_records(
            self.tenant, "Invoices", [{"InvoiceID": bill.xero_id, "CurrencyRate": 0.8}]
        )
        self.pay_in_xero(bill)
        self.run_sync()
        payment = self.odoo_payments(bill)
        self.assertEqual(payment.currency_id, eur)
        self.assertAlmostEqual(payment.amount, 92.0)
        self.assertEqual(self.company.currency_id.name, "USD")
        liquidity, _counterpart, _other = payment._seek_for_lines()
        self.assertAlmostEqual(liquidity.amount_currency, -92.0)
        self.assertAlmostEqual(liquidity.balance, -115.0, msg="92 EUR at Xero's 0.8")
        self.assertEqual(bill.payment_state, "paid")
        self.assertAlmostEqual(bill.amount_residual, 0.0)

    def test_payment_above_odoo_residual_is_flagged(self):
        bill = self.exported()  # 115
        self.register_payment(bill, amount=50)  # paid in Odoo, not sent (push is off)
        self.assertAlmostEqual(bill.amount_residual, 65.0)
        self.pay_in_xero(bill)  # 115 in Xero
        self.run_sync()
        usd = bill.currency_id
        self.assertIn(
            f"a payment of {formatLang(self.env, 115.0, currency_obj=usd)}, more than the "
            f"{formatLang(self.env, 65.0, currency_obj=usd)} left to pay",
            bill.xero_attention,
        )
        self.assertEqual(bill.payment_state, "paid")
        activity = bill.activity_ids.filtered(
            lambda a: (
                a.activity_type_id == self.env.ref("xero_connector.mail_activity_xero_attention")
            )
        )
        self.assertTrue(activity)
        bill.action_xero_attention_done()
        self.assertFalse(bill.xero_attention)

    def test_overpayment_allocated_in_xero_is_flagged(self):
        invoice = self.exported("out_invoice", partner=self.customer)
        self.sandbox.put_records(
            self.tenant,
            "Invoices",
            [
                {
                    "InvoiceID": invoice.xero_id,
                    "Overpayments": [
                        {
                            "OverpaymentID": "0b1c2d3e-0000-4000-8000-000000000001",
                            "AppliedAmount": 40.0,
                            "Total": 60.0,
                        }
                    ],
                    "AmountCredited": 40.0,
                    "AmountDue": 75.0,
                }
            ],
        )
        self.run_sync()
        amount = formatLang(self.env, 40.0, currency_obj=invoice.currency_id)
        self.assertIn(
            f"Xero settled {amount} of it with an overpayment "
            "(0b1c2d3e-0000-4000-8000-000000000001)",
            invoice.xero_attention,
        )
        self.assertIn("40", invoice.xero_attention)
        self.run_sync()
        self.assertEqual(invoice.xero_attention.count("overpayment"), 1, "said once")

    def test_payments_of_documents_odoo_did_not_send_are_ignored(self):
        bill = self.exported()
        self.pay_in_xero(bill, 10)
        contact = self.env["xero.link"]._xero_ids(self.connection, self.vendor, "contact")
        # A bill entered in Xero by someone, and paid there.
        result = self.connection._client().send_batch(
            "invoices",
            [
                (
                    "made-in-xero",
                    {
                        "Type": "ACCPAY",
                        "Status": "AUTHORISED",
                        "Contact": {"ContactID": contact[self.vendor.id]},
                        "InvoiceNumber": "XERO-ONLY-1",
                        "LineItems": [
                            {
                                "Description": "Made in Xero",
                                "Quantity": 1,
                                "UnitAmount": 10,
                                "AccountCode": "300",
                            }
                        ],
                    },
                )
            ],
            create_only=True,
        )[0]
        self.assertTrue(result.ok, result.errors)
        self.sandbox.pay(self.tenant, result.xero_id, 5)
        count = self.env["account.payment"].search_count([])
        self.run_sync()
        self.assertEqual(self.env["account.payment"].search_count([]), count + 1)
        self.assertEqual(len(self.odoo_payments(bill)), 1)

    def test_payment_lands_in_the_journal_mapped_to_its_xero_bank_account(self):
        accounts = self.env["xero.bank.account"]._xero_load(self.connection)
        savings = accounts.filtered(lambda a: a.code == "091")
        self.bank_journal.xero_bank_account_id = savings
        bill = self.exported()
        self.pay_in_xero(bill, account_code="091")
        self.run_sync()
        self.assertEqual(self.odoo_payments(bill).journal_id, self.bank_journal)

    def test_refund_of_a_vendor_credit_note_recorded_in_xero(self):
        note = self.exported("in_refund")  # 115 owed to us by the supplier
        self.assertEqual(note._xero_kind(), "credit_notes")
        answer = self.connection._client().send_batch(
            "payments",
            [
                (
                    "refund-in-xero",
                    {
                        "CreditNote": {"CreditNoteID": note.xero_id},
                        "Account": {"Code": "090"},
                        "Amount": 115.0,
                    },
                )
            ],
            create_only=True,
        )[0]
        self.assertTrue(answer.ok, answer.errors)
        self.run_sync()
        payment = self.odoo_payments(note)
        self.assertEqual(payment.xero_payment_id, answer.xero_id)
        self.assertEqual((payment.payment_type, payment.partner_type), ("inbound", "supplier"))
        self.assertEqual(note.payment_state, "paid")

    def test_connecting_creates_the_xero_payments_journal_once(self):
        journal = self.company.xero_payment_journal_id
        self.assertEqual((journal.name, journal.type), ("Xero payments", "bank"))
        self.connect()
        self.assertEqual(self.company.xero_payment_journal_id, journal)
        other = self.bank_journal
        self.company.xero_payment_journal_id = other  # changed in Settings
        bill = self.exported()
        self.pay_in_xero(bill)
        self.run_sync()
        self.assertEqual(self.odoo_payments(bill).journal_id, other)

    def test_rate_limit_reschedules_the_sync_without_sleeping(self):
        bill = self.exported()
        self.pay_in_xero(bill)
        self.sandbox.inject("429", 50, retry_after=120, path="/Payments$", method="GET")
        self.addCleanup(self.env["xero.rate.budget"]._reset, self.tenant)
        started = time.monotonic()
        self.run_sync()
        self.assertLess(time.monotonic() - started, 5, "no sleeping in the worker")
        self.assertFalse(self.odoo_payments(bill))
        cron = self.env.ref("xero_connector.ir_cron_xero_payment_sync")
        triggers = self.env["ir.cron.trigger"].search(
            [
                ("cron_id", "=", cron.id),
                ("call_at", ">=", fields.Datetime.now() + timedelta(seconds=60)),
            ]
        )
        self.assertTrue(triggers, "the sync runs again at Xero's retry time")
        self.sandbox.clear_faults()
        self.env["xero.rate.budget"]._reset(self.tenant)
        self.run_sync()
        self.assertEqual(bill.payment_state, "paid")

    def test_payment_on_a_bill_reset_to_draft_in_odoo_is_flagged(self):
        bill = self.exported()
        self.pay_in_xero(bill, 20)
        bill.button_draft()
        self.run_sync()
        self.assertFalse(self.odoo_payments(bill))
        xero_date = pay_map.payment_values(self.xero_payments(bill)[0])["date"]
        self.assertIn(
            f"a payment of {formatLang(self.env, 20.0, currency_obj=bill.currency_id)} on it "
            f"({format_date(self.env, xero_date)}) but it is not posted in Odoo",
            bill.xero_attention,
        )

    def test_without_the_payments_scope_statuses_are_read_and_payments_left_alone(self):
        """A custom connection created without accounting.payments: the settings say the
        payment sync is off, so it asks Xero for no payment (Xero would answer 401) and
        the connection stays connected; Xero's statuses are still read."""
        bill = self.exported()
        self.pay_in_xero(bill)
        self.connect_without_payments_permission()
        since = self.mark()
        self.run_sync()
        self.assertEqual(self.connection.state, "connected", self.connection.state_reason)
        self.assertFalse(self.calls(since, "GET", "/Payments"))
        self.assertEqual(bill.xero_status, "PAID")
        self.assertFalse(self.odoo_payments(bill))
        self.env["xero.payment.sync"]._xero_on_webhook(self.connection, "INVOICE", [bill.xero_id])
        self.assertEqual(self.connection.state, "connected", self.connection.state_reason)
        self.assertFalse(self.calls(since, "GET", "/Payments"))
