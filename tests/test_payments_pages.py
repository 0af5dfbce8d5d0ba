from unittest.mock import patch
from urllib.parse import parse_qs

from odoo import Command
from odoo.tests import tagged

from ..models import xero_payment_sync
from ..xero.mapping import payment as pay_map
from ..xero.mapping.payment import URL_BUDGET
from .payment_common import XeroPaymentCase


def query_of(call):
    return {k: v[0] for k, v in parse_qs(call["query"]).items()}


@tagged("post_install", "-at_install")
class TestPaymentPages(XeroPaymentCase):
    """Xero payments and statuses are read in pages of 1,000 in UpdatedDateUTC order (the
    order of the If-Modified-Since cursor), and a page is recorded in Odoo together."""

    def test_payments_are_read_in_pages_of_a_thousand_in_cursor_order(self):
        bills = [self.exported(ref=f"SUP-PAGE-{n}") for n in range(3)]
        for bill in bills:
            self.pay_in_xero(bill)
        since = self.mark()
        self.run_sync()
        calls = self.calls(since, "GET", "/Payments")
        self.assertEqual(len(calls), 1, "three payments: one page")
        query = query_of(calls[0])
        self.assertEqual(
            (query.get("page"), query.get("pageSize"), query.get("order")),
            ("1", "1000", "UpdatedDateUTC ASC"),
        )
        for bill in bills:
            self.assertEqual(bill.payment_state, "paid")
            self.assertEqual(len(self.odoo_payments(bill)), 1)

    def test_a_page_with_a_refused_payment_records_the_others(self):
        """Odoo refuses the payment into a journal with no outgoing payment method; the
        other payments of the same page are recorded and the refusal is said on its bill."""
        accounts = self.env["xero.bank.account"]._xero_load(self.connection)
        savings = accounts.filtered(lambda a: a.code == "091")
        journal = self.env["account.journal"].create(
            {
                "name": "Savings without outgoing payments",
                "code": "SAVNO",
                "type": "bank",
                "company_id": self.company.id,
                "xero_bank_account_id": savings.id,
            }
        )
        journal.outbound_payment_method_line_ids = [Command.clear()]
        first, refused, last = (self.exported(ref=f"SUP-REF-{n}") for n in range(3))
        self.pay_in_xero(first)
        self.pay_in_xero(refused, account_code="091")
        self.pay_in_xero(last, 40)
        since = self.mark()
        self.run_sync()
        self.assertEqual(len(self.calls(since, "GET", "/Payments")), 1, "one page")
        self.assertEqual(first.payment_state, "paid")
        self.assertEqual(last.payment_state, "partial")
        self.assertAlmostEqual(last.amount_residual, 75.0)
        self.assertFalse(self.odoo_payments(refused))
        self.assertEqual(refused.payment_state, "not_paid")
        xero_id = self.xero_payments(refused)[0]["PaymentID"]
        self.assertIn(
            f"Xero payment {xero_id} could not be recorded in Odoo", refused.xero_attention
        )
        self.assertIn("payment method", refused.xero_attention)
        self.assertFalse(first.xero_attention)
        self.assertFalse(last.xero_attention)
        # The recorded ones stay recorded once.
        self.run_sync()
        self.assertEqual(len(self.odoo_payments(first)), 1)
        self.assertEqual(len(self.odoo_payments(last)), 1)

    def test_several_payments_of_one_bill_in_one_page(self):
        bill = self.exported(lines=[{"price_unit": 200.0}])  # 230 with tax
        for amount in (100, 30, 100):
            self.pay_in_xero(bill, amount)
        self.run_sync()
        payments = self.odoo_payments(bill)
        self.assertEqual(len(payments), 3)
        self.assertEqual(set(payments.mapped("xero_origin")), {"xero"})
        self.assertEqual(bill.payment_state, "paid")
        self.assertEqual(bill.matched_payment_ids, payments)
        self.assertFalse(bill.xero_attention)
        notes = bill.message_ids.filtered(lambda m: "recorded in Xero" in (m.body or ""))
        self.assertEqual(len(notes), 3, "one note per payment")
        self.assertIn("Payment status: Paid.", notes.sorted("id")[-1].body)

    def test_status_refresh_reads_pages_of_a_thousand(self):
        self.company.xero_document_status = "SUBMITTED"
        bills = [self.exported(ref=f"SUP-ST-{n}") for n in range(3)]
        for bill in bills:
            self.sandbox.approve(self.tenant, bill.xero_id)
        since = self.mark()
        self.run_sync()
        calls = self.calls(since, "GET", "/Invoices")
        self.assertEqual(len(calls), 1)
        query = query_of(calls[0])
        self.assertEqual(
            (query.get("page"), query.get("pageSize"), query.get("order")),
            ("1", "1000", "UpdatedDateUTC ASC"),
        )
        for call in self.calls(since, "GET", "/CreditNotes"):
            self.assertEqual(query_of(call).get("pageSize"), "1000")
        for bill in bills:
            self.assertEqual(bill.xero_status, "AUTHORISED")

    def test_documents_named_by_events_are_read_in_urls_as_long_as_xero_allows(self):
        bills = self.env["account.move"]
        for n in range(60):
            bills |= self.make_move(ref=f"SUP-EV-{n:02d}")
        self.run_export()
        self.assertEqual(set(bills.mapped("xero_state")), {"sent"})
        for bill in bills[:5]:
            self.pay_in_xero(bill)
        since = self.mark()
        self.env["xero.payment.sync"]._xero_on_webhook(
            self.connection, "INVOICE", bills.mapped("xero_id")
        )
        invoice_calls = self.calls(since, "GET", "/Invoices")
        payment_calls = self.calls(since, "GET", "/Payments")
        self.assertEqual(len(invoice_calls), 2, "about 50 ids per URL")
        self.assertLessEqual(len(payment_calls), 3, "about 23 documents per where clause")
        base = len("https://api.xero.com")  # paths start with /api.xro/2.0
        for call in invoice_calls + payment_calls:
            self.assertLessEqual(base + len(call["path"]) + 1 + len(call["query"]), URL_BUDGET)
            self.assertEqual(query_of(call).get("pageSize"), "1000")
        self.assertEqual(set(bills[:5].mapped("payment_state")), {"paid"})
        self.assertEqual(set(bills[5:].mapped("payment_state")), {"not_paid"})

    def test_a_long_run_stops_at_the_end_of_a_page_and_the_next_run_goes_on(self):
        """A cron worker's time is limited: past RUN_SECONDS a run stops after the page
        it is on (pages of one payment here, and no time at all), keeps its place, and is
        triggered again; nothing is read twice into Odoo."""
        bills = [self.exported(ref=f"SUP-RUN-{n}") for n in range(3)]
        for bill in bills:
            self.pay_in_xero(bill)
            self.sandbox.advance(5)
        cron = self.env.ref("xero_connector.ir_cron_xero_payment_sync")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        with (
            patch.object(pay_map, "PAGE_SIZE", 1),
            patch.object(xero_payment_sync, "RUN_SECONDS", 0),
        ):
            self.run_sync()
            self.assertEqual([b.payment_state for b in bills], ["paid", "not_paid", "not_paid"])
            again = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]) - triggers
            self.assertTrue(again, "the sync runs again for the rest")
            self.run_sync()
            self.assertEqual([b.payment_state for b in bills], ["paid", "paid", "not_paid"])
            self.run_sync()
        self.assertEqual([b.payment_state for b in bills], ["paid", "paid", "paid"])
        for bill in bills:
            self.assertEqual(len(self.odoo_payments(bill)), 1)
