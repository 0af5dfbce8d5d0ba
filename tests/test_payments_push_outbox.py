"""Payments sent to Xero exactly once: lost answers, local refusals, re-posts, lost
access, reconnecting, lock dates, and the exchange rate Xero books them at."""

import threading
from datetime import timedelta
from http.server import ThreadingHTTPServer

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..xero.mapping import payment as pay_map
from .common import CLIENT_ID, CLIENT_SECRET, SECOND_ORG, org_id
from .payment_common import XeroPaymentCase
from .test_malformed_answers import _Proxy


class PushCase(XeroPaymentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.xero_push_payments = True
        accounts = cls.env["xero.bank.account"]._xero_load(cls.connection)
        cls.xero_bank = accounts.filtered(lambda a: a.code == "090")
        cls.xero_bank_eur = accounts.filtered(lambda a: a.code == "092")
        cls.bank_journal.xero_bank_account_id = cls.xero_bank

    def setUp(self):
        super().setUp()
        self.addCleanup(self.env["xero.rate.budget"]._reset, self.tenant)
        self.addCleanup(self.sandbox.clear_faults)

    def expire_leases(self, payments):
        payments.write({"xero_push_retry_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.env.flush_all()

    def lose_answers(self):
        """Xero records the next payment send, but every answer is lost (the client's
        own retries of the same call included)."""
        self.sandbox.inject("lost_response", 4, path="/Payments$", method="PUT")


@tagged("post_install", "-at_install")
class TestPaymentPushOutbox(PushCase):
    def test_lost_answer_resent_with_a_newer_payment_is_found_not_duplicated(self):
        bill, other = self.exported(), self.exported(ref="SUP-2")
        payment = self.register_payment(bill, amount=25)
        self.lose_answers()
        self.run_push()
        self.sandbox.clear_faults()
        self.assertEqual(len(self.xero_payments(bill)), 1, "Xero did record it")
        self.assertFalse(payment.xero_payment_id)
        self.assertEqual(payment.xero_push_state, "queued", "outcome unknown: kept")
        # A newer payment joins the next send: the request differs (and so its key).
        newer = self.register_payment(other, amount=30)
        self.expire_leases(payment)
        since = self.mark()
        self.run_push()
        self.assertEqual(len(self.xero_payments(bill)), 1, "found in Xero, not created again")
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)
        self.assertEqual(payment.xero_payment_id, self.xero_payments(bill)[0]["PaymentID"])
        self.assertEqual(newer.xero_push_state, "sent", newer.xero_push_error)
        self.assertEqual(len(self.xero_payments(other)), 1)
        looked = self.calls(since, method="GET", path="/Payments")
        self.assertTrue(looked, "looked Xero up before sending again")
        self.assertFalse(any(c.get("if_modified_since") for c in looked), "no time window")
        self.assertEqual(len(self.calls(since, method="PUT", path="/Payments")), 1)
        # Reading Xero afterwards records nothing twice.
        self.run_sync()
        self.assertEqual(len(self.odoo_payments(bill)), 1)
        self.assertEqual(len(self.odoo_payments(other)), 1)

    def test_lost_answer_found_days_later(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=25)
        self.lose_answers()
        self.run_push()
        self.sandbox.clear_faults()
        # Much later (Xero's clock and ours), with other payments changed meanwhile.
        self.sandbox.advance(3 * 86400)
        self.pay_in_xero(self.exported(ref="SUP-9"), 5)
        self.expire_leases(payment)
        self.run_push()
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)
        self.assertEqual(len(self.xero_payments(bill)), 1)

    def test_local_refusal_keeps_the_marker(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=25)
        self.lose_answers()
        self.run_push()
        self.sandbox.clear_faults()
        # Refused here before the retry: the journal lost its Xero bank account.
        self.bank_journal.xero_bank_account_id = False
        self.expire_leases(payment)
        self.run_push()
        self.assertEqual(payment.xero_push_state, "error")
        self.assertIn("has no Xero bank account", payment.xero_push_error)
        # Fixed, then sent again: found in Xero, not created twice.
        self.bank_journal.xero_bank_account_id = self.xero_bank
        payment.action_xero_send()
        since = self.mark()
        self.run_push()
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)
        self.assertEqual(len(self.xero_payments(bill)), 1)
        self.assertFalse(self.calls(since, method="PUT", path="/Payments"))

    def test_pull_adopts_a_lost_send_by_our_reference_only(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=25)
        self.lose_answers()
        self.run_push()
        self.sandbox.clear_faults()
        # Someone also records 25 in Xero by hand: same amount, not ours.
        self.pay_in_xero(bill, 25)
        self.run_sync()
        ours = self.xero_payments(bill)
        ours = next(p for p in ours if p["Reference"] == payment.name)
        self.assertEqual(payment.xero_payment_id, ours["PaymentID"])
        self.assertEqual(payment.xero_push_state, "sent")
        pulled = self.odoo_payments(bill) - payment
        self.assertEqual(pulled.xero_origin, "xero", "the hand-made one is its own payment")
        self.expire_leases(payment)
        since = self.mark()
        self.run_push()
        self.assertFalse(self.calls(since, method="PUT", path="/Payments"))
        self.assertEqual(len(self.xero_payments(bill)), 2)

    def test_reset_to_draft_then_posted_again_reaches_xero(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=40)
        self.run_push()
        first = payment.xero_payment_id
        self.assertTrue(first)
        payment.action_draft()
        payment.amount = 45
        payment.action_post()
        self._match(payment, bill)
        self.run_push()
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)
        self.assertNotEqual(payment.xero_payment_id, first)
        live = self.xero_payments(bill)
        self.assertEqual(
            [(p["PaymentID"], p["Amount"]) for p in live], [(payment.xero_payment_id, 45.0)]
        )
        old = [p for p in self.xero_payments(bill, status=None) if p["PaymentID"] == first]
        self.assertEqual(old[0]["Status"], "DELETED")
        self.run_sync()
        self.assertEqual(len(self.odoo_payments(bill)), 1)

    def test_reset_and_reposted_after_the_delete_reached_xero(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=40)
        self.run_push()
        payment.action_draft()
        self.run_push()
        self.assertEqual(payment.xero_push_state, "deleted")
        self.assertFalse(self.xero_payments(bill))
        payment.action_post()
        self._match(payment, bill)
        self.run_push()
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)
        self.assertEqual(len(self.xero_payments(bill)), 1)

    def _match(self, payment, move):
        if move.payment_state in ("paid", "partial", "in_payment") and payment.reconciled_bill_ids:
            return
        line = payment.move_id.line_ids.filtered(
            lambda aml: (
                aml.account_id.account_type in ("liability_payable", "asset_receivable")
                and not aml.reconciled
            )
        )
        if line:
            move.js_assign_outstanding_line(line.id)

    def test_posted_while_reconnect_needed_goes_once_reconnected(self):
        bill = self.exported()
        self.connection.sudo().write({"state": "reconnect"})
        payment = self.register_payment(bill, amount=20)
        self.assertEqual(payment.xero_push_state, "queued", "waits for the connection")
        since = self.mark()
        self.run_push()
        self.assertFalse(self.calls(since))
        self.connection.sudo().write({"state": "connected"})
        self.run_push()
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)
        self.assertEqual(len(self.xero_payments(bill)), 1)

    def test_posted_while_reconnect_needed_on_a_bill_not_in_xero_yet(self):
        # The bill and its payment both wait for the reconnection; once reconnected, the
        # payment cron may run before the bill reaches Xero (nothing to pay there yet).
        self.connection.sudo().write({"state": "reconnect"})
        bill = self.make_move()
        self.assertEqual(bill.xero_state, "queued")
        payment = self.register_payment(bill, amount=20)
        self.connection.sudo().write({"state": "connected"})
        self.run_push()
        self.assertEqual(payment.xero_push_state, "not_sent", "its bill is not in Xero yet")
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        self.assertEqual(payment.xero_push_state, "queued", "queued once its bill is in Xero")
        self.run_push()
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)
        self.assertEqual(len(self.xero_payments(bill)), 1)

    def test_reset_then_deleted_before_the_cron_ran_deletes_in_xero(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=40)
        self.run_push()
        xero_id = payment.xero_payment_id
        payment.action_draft()
        payment.unlink()
        gone = [p for p in self.xero_payments(bill, status=None) if p["PaymentID"] == xero_id]
        self.assertEqual(gone[0]["Status"], "DELETED")

    def test_lock_date_refusal_leaves_xero_untouched(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=40)
        self.run_push()
        xero_id = payment.xero_payment_id
        self.company.fiscalyear_lock_date = fields.Date.today()
        since = self.mark()
        with self.assertRaises(UserError):
            payment.action_draft()
        with self.assertRaises(UserError):
            payment.action_cancel()
        self.run_push()
        self.assertFalse(self.calls(since, method="POST", path=f"/Payments/{xero_id}"))
        self.assertEqual(payment.xero_push_state, "sent")
        self.assertEqual([p["PaymentID"] for p in self.xero_payments(bill)], [xero_id])

    def test_cancelled_after_a_lost_answer_is_deleted_in_xero(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=25)
        self.lose_answers()
        self.run_push()
        self.sandbox.clear_faults()
        payment.action_cancel()
        self.assertEqual(payment.xero_push_state, "to_delete", "it may be in Xero")
        self.expire_leases(payment)
        self.run_push()
        self.assertEqual(payment.xero_push_state, "deleted")
        self.assertFalse(self.xero_payments(bill))
        self.run_sync()
        self.assertEqual(len(self.odoo_payments(bill)), 1)

    def test_xero_refusal_clears_the_marker(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=25)
        self.pay_in_xero(bill, 100)  # only 15 left to pay in Xero meanwhile
        self.run_push()
        self.assertEqual(payment.xero_push_state, "error")
        self.assertIn("exceeds the amount outstanding", payment.xero_push_error)
        self.assertFalse(payment.xero_push_key, "Xero created nothing")
        count = payment.xero_push_count
        payment.action_xero_send()
        self.run_push()
        self.assertEqual(payment.xero_push_count, count + 1, "a new send, a new key")


@tagged("post_install", "-at_install")
class TestPaymentPushTransitions(PushCase):
    """The outbox steps one by one, on the model."""

    def _claim(self):
        self.env.flush_all()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            conn = env["xero.connection"].browse(self.connection.id)
            payments, lookups = env["account.payment"]._xero_outbox_claim(conn, None, 50)
            ids = (payments.ids, lookups.ids)
            cr.commit()
        self.env.invalidate_all()
        return self.env["account.payment"].browse(ids[0]), self.env["account.payment"].browse(
            ids[1]
        )

    def test_claim_gives_a_key_and_a_lease(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=10)
        claimed, lookups = self._claim()
        self.assertEqual(claimed, payment)
        self.assertFalse(lookups)
        self.assertEqual(payment.xero_push_count, 1)
        self.assertTrue(payment.xero_push_key.endswith(f"/account.payment/{payment.id}/1"))
        self.assertGreater(payment.xero_push_retry_at, fields.Datetime.now())
        # Leased: nobody takes it meanwhile.
        self.assertFalse(self._claim()[0])
        # Lease over: taken again with the same key, and looked up first.
        key = payment.xero_push_key
        self.expire_leases(payment)
        claimed, lookups = self._claim()
        self.assertEqual((claimed, lookups), (payment, payment))
        self.assertEqual(payment.xero_push_key, key)

    def test_release_keeps_the_marker_of_unknown_sends_only(self):
        bill = self.exported()
        first = self.register_payment(bill, amount=10)
        second = self.register_payment(bill, amount=11)
        claimed, _lookups = self._claim()
        self.assertEqual(claimed, first | second)
        claimed._xero_outbox_release(False, first)
        self.assertTrue(first.xero_push_key)
        self.assertFalse(second.xero_push_key)
        self.assertEqual(set(claimed.mapped("xero_push_state")), {"queued"})

    def test_refuse_keeps_the_marker(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=10)
        self._claim()
        key = payment.xero_push_key
        payment._xero_outbox_refuse(["no bank account"], self.connection)
        self.assertEqual((payment.xero_push_state, payment.xero_push_key), ("error", key))

    def test_unknown_outcome_then_adopt(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=10)
        self._claim()
        key = payment.xero_push_key
        self.lose_answers()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            conn = env["xero.connection"].browse(self.connection.id)
            pay = env["account.payment"].browse(payment.id)
            self.assertTrue(pay._xero_outbox_send(conn, None, pay.browse()), "stops the run")
            cr.commit()
        self.env.invalidate_all()
        self.assertEqual(payment.xero_push_state, "queued")
        self.assertEqual(payment.xero_push_key, key)
        self.assertGreater(payment.xero_push_retry_at, fields.Datetime.now())
        record = self.xero_payments(bill)[0]
        payment._xero_adopt(record)
        self.assertEqual(payment.xero_payment_id, record["PaymentID"])
        self.assertEqual(payment.xero_push_state, "sent")
        self.assertFalse(payment.xero_push_key)


@tagged("post_install", "-at_install")
class TestPaymentPushUnreadableAnswer(PushCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.proxy = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
        cls.proxy.target = cls.sandbox.url
        cls.proxy.mangle_path = "/api.xro/2.0/Payments"
        cls.proxy.mangle = lambda status, data: (status, "application/json", data)
        threading.Thread(target=cls.proxy.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.proxy.server_close)
        cls.addClassCleanup(cls.proxy.shutdown)
        cls.connection.endpoint_url = f"http://127.0.0.1:{cls.proxy.server_port}"

    def test_cut_off_answer_stops_in_error_and_send_finds_it(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=25)
        self.proxy.mangle = lambda status, data: (status, "application/json", data[:20])
        self.run_push()
        self.proxy.mangle = lambda status, data: (status, "application/json", data)
        self.assertEqual(payment.xero_push_state, "error")
        self.assertIn("could not be read", payment.xero_push_error)
        self.assertTrue(payment.xero_push_key, "it may be in Xero: the marker stays")
        self.assertEqual(len(self.xero_payments(bill)), 1, "Xero did record it")
        payment.action_xero_send()
        since = self.mark()
        self.run_push()
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)
        self.assertFalse(self.calls(since, method="PUT", path="/Payments"), "found, not resent")
        self.assertEqual(payment.xero_payment_id, self.xero_payments(bill)[0]["PaymentID"])


@tagged("post_install", "-at_install")
class TestPaymentPushLostAccess(PushCase):
    """Alone in its class: revoking the token ends the sandbox's grant for this app."""

    def test_revoked_token_asks_to_reconnect_and_keeps_the_payment(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=10)
        connection = self.connection.sudo()
        connection._client().oauth.revoke(connection.token_data)
        self.run_push()
        connection.invalidate_recordset()
        self.assertEqual(connection.state, "reconnect")
        self.assertEqual(payment.xero_push_state, "queued", "sent after reconnecting")
        self.assertFalse(self.xero_payments(bill))
        self.connect()
        self.assertEqual(connection.state, "connected")
        self.expire_leases(payment)
        self.run_push()
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)
        self.assertEqual(len(self.xero_payments(bill)), 1)


@tagged("post_install", "-at_install")
class TestPaymentPushRates(PushCase):
    """What Xero books for a payment equals what Odoo booked, to the cent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.env.ref("base.EUR")
        cls.gbp = cls.env.ref("base.GBP")
        (cls.eur | cls.gbp).active = True
        Rate = cls.env["res.currency.rate"]
        today = fields.Date.today()
        for currency, old, new in ((cls.eur, 0.8, 0.909091), (cls.gbp, 0.75, 0.7913)):
            Rate.create(
                {
                    "currency_id": currency.id,
                    "rate": old,
                    "name": "2020-01-01",
                    "company_id": cls.company.id,
                }
            )
            Rate.create(
                {
                    "currency_id": currency.id,
                    "rate": new,
                    "name": today,
                    "company_id": cls.company.id,
                }
            )
        cls.eur_journal = cls.env["account.journal"].create(
            {"name": "Euro bank", "type": "bank", "code": "XEUR", "currency_id": cls.eur.id}
        )
        cls.eur_journal.xero_bank_account_id = cls.xero_bank_eur

    def _pay(self, move, journal, currency):
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"journal_id": journal.id, "currency_id": currency.id})
        )
        return wizard._create_payments()

    def _assert_booked_alike(self, move, payment, doc_amount):
        self.run_push()
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)
        xero = self.xero_payments(move)[0]
        self.assertEqual(xero["Amount"], doc_amount)
        liquidity, _counterpart, _writeoff = payment._seek_for_lines()
        odoo_base = self.company.currency_id.round(abs(sum(liquidity.mapped("balance"))))
        xero_base = pay_map.base_amount(xero["Amount"], xero["CurrencyRate"], 2)
        self.assertEqual(float(xero_base), odoo_base)
        return xero

    def test_usd_payment_on_a_eur_bill(self):
        bill = self.exported(
            currency_id=self.eur.id, invoice_date="2020-01-15", lines=[{"price_unit": 869.57}]
        )  # 1,000.01 EUR booked at 0.8
        payment = self._pay(bill, self.bank_journal, self.company.currency_id)
        self.assertEqual(payment.currency_id, self.company.currency_id)
        xero = self._assert_booked_alike(bill, payment, 1000.01)
        self.assertNotEqual(xero["CurrencyRate"], 1.0)

    def test_usd_payment_on_a_gbp_invoice(self):
        invoice = self.exported(
            "out_invoice",
            partner=self.customer,
            currency_id=self.gbp.id,
            invoice_date="2020-01-15",
            lines=[{"price_unit": 1234.56}],
        )
        payment = self._pay(invoice, self.bank_journal, self.company.currency_id)
        self._assert_booked_alike(invoice, payment, invoice.amount_total)

    def test_eur_payment_on_a_eur_bill_from_a_eur_bank(self):
        bill = self.exported(
            currency_id=self.eur.id, invoice_date="2020-01-15", lines=[{"price_unit": 500.0}]
        )  # 575 EUR
        payment = self._pay(bill, self.eur_journal, self.eur)
        self._assert_booked_alike(bill, payment, 575.0)

    def test_usd_bill_in_usd_sends_no_rate(self):
        bill = self.exported()
        payment = self._pay(bill, self.bank_journal, self.company.currency_id)
        self.run_push()
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)
        sent = self.xero_payments(bill)[0]
        self.assertEqual(sent["Amount"], 115.0)


@tagged("post_install", "-at_install")
class TestPaymentPushRatesGbpCompany(PushCase):
    """A GBP company (its own Xero organisation, GBP based) paying a USD bill in GBP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        gbp, usd = cls.env.ref("base.GBP"), cls.env.ref("base.USD")
        gbp.active = True
        company = cls.env["res.company"].create({"name": "UK Payer", "currency_id": gbp.id})
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=company, install_demo=False
        )
        company.write(
            {
                "currency_id": gbp.id,
                "xero_export_vendor_bill": True,
                "xero_document_status": "AUTHORISED",
                "xero_push_payments": True,
            }
        )
        cls.company_b = company
        cls.connection_b = company.xero_connection_id
        cls.connection_b.write(
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "endpoint_url": cls.sandbox.url,
            }
        )
        cls.connect(cls.connection_b, tenants=(SECOND_ORG,))
        cls.tenant_b = org_id(cls.sandbox, SECOND_ORG)
        cls.sandbox.put_records(cls.tenant_b, "Currencies", [{"Code": "USD"}])
        cls.env_b = cls.env(context=dict(cls.env.context, allowed_company_ids=[company.id]))
        cls.expense_b = cls.env_b["account.account"].search(
            [("company_ids", "in", company.id), ("account_type", "=", "expense")], limit=1
        )
        accounts_b = {
            a["Code"]: a["AccountID"] for a in cls.sandbox.records(cls.tenant_b, "Accounts")
        }
        cls.env["xero.link"]._set(
            cls.connection_b, cls.expense_b, "account", accounts_b["300"], xero_code="300"
        )
        Rate = cls.env["res.currency.rate"]
        for day, rate in (("2020-01-01", 1.25), (fields.Date.today(), 1.3)):
            Rate.create(
                {"currency_id": usd.id, "rate": rate, "name": day, "company_id": company.id}
            )
        banks = cls.env["xero.bank.account"]._xero_load(cls.connection_b)
        cls.bank_b = cls.env_b["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
        )
        cls.bank_b.xero_bank_account_id = banks.filtered(lambda a: a.code == "090")
        cls.usd = usd

    def test_gbp_payment_on_a_usd_bill(self):
        bill = self.env_b["account.move"].create(
            {
                "move_type": "in_invoice",
                "company_id": self.company_b.id,
                "partner_id": self.vendor.id,
                "invoice_date": "2020-01-15",
                "ref": "US-1",
                "currency_id": self.usd.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Parts",
                            "quantity": 1,
                            "price_unit": 987.65,
                            "account_id": self.expense_b.id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        bill.action_post()
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        wizard = (
            self.env_b["account.payment.register"]
            .with_context(active_model="account.move", active_ids=bill.ids)
            .create({"journal_id": self.bank_b.id, "currency_id": self.company_b.currency_id.id})
        )
        payment = wizard._create_payments()
        self.run_push()
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)
        xero = next(
            p
            for p in self.sandbox.records(self.tenant_b, "Payments")
            if p["Invoice"]["InvoiceID"] == bill.xero_id
        )
        self.assertEqual(xero["Amount"], 987.65)
        liquidity, _counterpart, _writeoff = payment._seek_for_lines()
        odoo_base = self.company_b.currency_id.round(abs(sum(liquidity.mapped("balance"))))
        self.assertEqual(odoo_base, round(987.65 / 1.3, 2))
        xero_base = pay_map.base_amount(xero["Amount"], xero["CurrencyRate"], 2)
        self.assertEqual(float(xero_base), odoo_base)


@tagged("post_install", "-at_install")
class TestPaymentPushWithoutScope(PushCase):
    def test_without_the_payments_permission_payments_wait_and_the_connection_stays(self):
        """A custom connection created without accounting.payments: pushing would get a
        401 and stop every export; the payments wait in the queue instead."""
        bill = self.exported()
        self.connect_without_payments_permission("no-payments-push")
        payment = self.register_payment(bill, amount=25)
        self.assertEqual(payment.xero_push_state, "queued")
        since = self.mark()
        self.run_push()
        self.assertEqual(self.connection.state, "connected", self.connection.state_reason)
        self.assertFalse(self.calls(since, method="PUT", path="/Payments"))
        self.assertEqual(payment.xero_push_state, "queued")
