"""Batching and exactly once: whatever fails, one Xero document per Odoo document."""

import time
from datetime import timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import tagged

from .export_common import XeroExportCase


@tagged("post_install", "-at_install")
class TestExportReliability(XeroExportCase):
    def setUp(self):
        super().setUp()
        self.addCleanup(self.env["xero.rate.budget"]._reset, self.tenant)
        self.addCleanup(self.sandbox.clear_faults)

    def _bills(self, count, **kw):
        moves = self.env["account.move"]
        for i in range(count):
            moves |= self.make_move(ref=f"SUP-{i:04d}", **kw)
        return moves

    def _assert_once(self, moves):
        urls = [m._xero_url_back() for m in moves]
        docs = [d for d in self.xero_docs() if d.get("Url") in urls]
        self.assertEqual(len(docs), len(moves), "exactly one Xero document per Odoo document")
        self.assertEqual(sorted(d["InvoiceID"] for d in docs), sorted(moves.mapped("xero_id")))

    def _expire_leases(self, moves):
        moves.write({"xero_retry_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.env.flush_all()

    def test_120_bills_in_three_calls_with_one_bad_bill_in_the_middle(self):
        bills = self._bills(59)
        bad = self.make_move(
            ref="SUP-BAD",
            lines=[{"price_unit": 5.0, "account_id": self.archived_in_xero_account.id}],
        )
        bills |= bad | self._bills(60)
        self.assertEqual(len(bills), 120)
        since = self.mark()
        self.run_export()
        puts = self.calls(since, method="PUT", path="/Invoices")
        self.assertEqual(len(puts), 3, "120 bills in 3 calls of at most 50")
        good = bills - bad
        self.assertEqual(set(good.mapped("xero_state")), {"sent"})
        self.assertEqual(bad.xero_state, "error")
        self.assertIn("499", bad.xero_error)
        self._assert_once(good)
        # The refused bill is fixed and resent alone; nothing else goes again.
        self.env["xero.link"]._set(
            self.connection,
            self.archived_in_xero_account,
            "account",
            self.xero_accounts["429"],
            xero_code="429",
        )
        bad.action_xero_resend()
        since = self.mark()
        self.run_export()
        self.assertEqual(bad.xero_state, "sent", bad.xero_error)
        self.assertEqual(len(self.calls(since, method="PUT", path="/Invoices")), 1)
        self._assert_once(bills)

    def test_500_then_success(self):
        self.sandbox.inject("500", 1, path="/Invoices$", method="PUT")
        bills = self._bills(3)
        self.run_export()
        self.assertEqual(set(bills.mapped("xero_state")), {"sent"})
        self._assert_once(bills)

    def test_updates_not_sent_after_xero_failed_the_creates_wait_no_lease(self):
        sent = self.make_move(ref="SUP-UPD")
        self.run_export()
        self.assertEqual(sent.xero_state, "sent", sent.xero_error)
        sent.button_draft()
        sent.action_post()
        self.assertEqual(sent.xero_state, "queued")
        new = self.make_move(ref="SUP-NEW")
        self.sandbox.inject("503", 20, path="/Invoices$", method="PUT")
        since = self.mark()
        self.run_export()
        self.assertFalse(self.calls(since, method="POST", path="/Invoices"), "Xero is down")
        self.assertEqual((new.xero_state, sent.xero_state), ("queued", "queued"))
        # The update was never sent: it is not held for a whole lease by a run that ended.
        self.assertFalse(sent.xero_retry_at)
        self.sandbox.clear_faults()
        self._expire_leases(new)
        self.run_export()
        self.assertEqual((new.xero_state, sent.xero_state), ("sent", "sent"))

    def test_xero_down_keeps_documents_queued_then_sends_them_once(self):
        self.sandbox.inject("503", 20, path="/Invoices$", method="PUT")
        bills = self._bills(2)
        since = self.mark()
        self.run_export()
        keys = {c["idempotency_key"] for c in self.calls(since, method="PUT", path="/Invoices")}
        self.assertEqual(len(keys), 1, "the client's own retries reuse the key")
        self.assertEqual(set(bills.mapped("xero_state")), {"queued"})
        self.assertTrue(all(bills.mapped("xero_pending_key")), "outcome unknown: marker kept")
        self.assertTrue(all(b.xero_retry_at > fields.Datetime.now() for b in bills))
        self.sandbox.clear_faults()
        self._expire_leases(bills)
        since = self.mark()
        self.run_export()
        self.assertEqual(set(bills.mapped("xero_state")), {"sent"})
        self._assert_once(bills)
        retried = {c["idempotency_key"] for c in self.calls(since, method="PUT", path="/Invoices")}
        self.assertEqual(retried, keys, "a later run (or a restarted worker) sends the same key")

    def test_lost_response_after_commit_is_found_not_recreated(self):
        bills = self._bills(2)
        self.sandbox.inject("lost_response", 10, path="/Invoices$", method="PUT")
        self.run_export()
        # Xero created both, Odoo never heard back.
        self.assertEqual(set(bills.mapped("xero_state")), {"queued"})
        self.assertFalse(any(bills.mapped("xero_id")))
        self.assertEqual(len(self.xero_docs(Type="ACCPAY")), 2)
        self.sandbox.clear_faults()
        # Meanwhile a third bill is posted: the retried batch differs, so its
        # Idempotency-Key differs too, and only the lookup prevents duplicates.
        bills |= self._bills(1, partner=self.vendor2)
        self._expire_leases(bills)
        since = self.mark()
        self.run_export()
        self.assertEqual(set(bills.mapped("xero_state")), {"sent"}, bills.mapped("xero_error"))
        self._assert_once(bills)
        self.assertTrue(self.calls(since, method="GET", path="/Invoices"), "looked Xero up first")
        put = self.calls(since, method="PUT", path="/Invoices")
        self.assertEqual(len(put), 1)

    def test_429_storm_reschedules_without_sleeping(self):
        bills = self._bills(2)
        self.sandbox.inject("429", 50, retry_after=120, path="/Invoices$", method="PUT")
        cron = self.env.ref("xero_connector.ir_cron_xero_export_account_move")
        started = time.monotonic()
        self.run_export()
        self.assertLess(time.monotonic() - started, 5, "no sleeping in the worker")
        self.assertEqual(set(bills.mapped("xero_state")), {"queued"})
        self.assertFalse(any(bills.mapped("xero_pending_key")), "a 429 was not processed")
        retry_at = bills[0].xero_retry_at
        self.assertGreater(retry_at, fields.Datetime.now() + timedelta(seconds=60))
        triggers = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", cron.id), ("call_at", ">=", retry_at - timedelta(seconds=1))]
        )
        self.assertTrue(triggers, "the cron is rescheduled at Xero's retry time")
        since = self.mark()
        self.run_export()
        self.assertFalse(self.calls(since), "nothing is tried before the retry time")
        self.sandbox.clear_faults()
        self.env["xero.rate.budget"]._reset(self.tenant)
        self._expire_leases(bills)
        self.run_export()
        self.assertEqual(set(bills.mapped("xero_state")), {"sent"})
        self._assert_once(bills)

    def test_killed_worker_after_xero_created_the_documents(self):
        bills = self._bills(3)
        self.env.flush_all()
        with self.registry.cursor() as cr:  # worker 1
            env = api.Environment(cr, SUPERUSER_ID, {})
            Move = env["account.move"]
            conn = env["xero.connection"].browse(self.connection.id)
            docs, lookups = Move._xero_outbox_claim(conn, "invoices", 50)
            cr.commit()
            docs._xero_outbox_send(conn, "invoices", lookups)
            cr.rollback()  # killed before Xero's answer was committed
        self.env.invalidate_all()
        self.assertEqual(set(bills.mapped("xero_state")), {"queued"})
        self.assertTrue(all(bills.mapped("xero_pending_key")))
        self.assertEqual(len(self.xero_docs(Type="ACCPAY")), 3)
        since = self.mark()
        self.run_export()  # the lease still runs: nobody touches them
        self.assertFalse(self.calls(since))
        self._expire_leases(bills)
        self.run_export()
        self.assertEqual(set(bills.mapped("xero_state")), {"sent"})
        self._assert_once(bills)
        self.assertFalse(self.calls(since, method="PUT", path="/Invoices"), "found, not recreated")

    def test_documents_cancelled_before_sending_are_not_sent(self):
        bills = self._bills(2)
        self.env.cr.execute("UPDATE account_move SET state = 'cancel' WHERE id = %s", [bills[0].id])
        self.env.invalidate_all()
        self.run_export()
        self.assertFalse(bills[0].xero_id)
        self.assertFalse(self.xero_docs(Url=bills[0]._xero_url_back()))
        self.assertEqual(bills[1].xero_state, "sent")

    def test_two_crons_at_once_send_each_document_once(self):
        bills = self._bills(4)
        self.env.flush_all()
        since = self.mark()
        with self.registry.cursor() as cr_a:  # worker A takes the batch and calls Xero
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            conn = env_a["xero.connection"].browse(self.connection.id)
            docs, lookups = env_a["account.move"]._xero_outbox_claim(conn, "invoices", 50)
            self.assertEqual(len(docs), 4)
            cr_a.commit()
            # Worker B runs the whole cron while A waits for Xero.
            with self.registry.cursor() as cr_b:
                env_b = api.Environment(cr_b, SUPERUSER_ID, {})
                self.assertEqual(env_b["account.move"]._cron_xero_export(), 0)
            docs._xero_outbox_send(conn, "invoices", lookups)
            cr_a.commit()
        self.env.invalidate_all()
        self.assertEqual(len(self.calls(since, method="PUT", path="/Invoices")), 1)
        self.assertEqual(set(bills.mapped("xero_state")), {"sent"})
        self._assert_once(bills)

    def test_reconnect_needed_keeps_documents_queued(self):
        bills = self._bills(2)
        self.connection.sudo().token_data = {
            "access_token": "dead",
            "refresh_token": "dead",
            "expires_at": time.time() - 10,
            "scope": "offline_access",
            "token_type": "Bearer",
        }
        self.run_export()
        self.assertEqual(self.connection.state, "reconnect")
        self.assertEqual(set(bills.mapped("xero_state")), {"queued"})
        self.assertFalse(any(bills.mapped("xero_id")))

    def test_cron_does_not_reschedule_itself_for_a_disconnected_company(self):
        bills = self._bills(1)
        self.connection.sudo().write({"state": "reconnect"})
        cron = self.env.ref("xero_connector.ir_cron_xero_export_account_move")
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        self.assertEqual(self.run_export(), 0)
        self.assertEqual(bills.xero_state, "queued", "kept for after reconnecting")
        self.assertFalse(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))

    def test_cancelled_while_xero_was_creating_it(self):
        bills = self._bills(2)
        self.env.flush_all()
        with self.registry.cursor() as cr:  # the cron worker
            env = api.Environment(cr, SUPERUSER_ID, {})
            conn = env["xero.connection"].browse(self.connection.id)
            Move = env["account.move"]
            docs, lookups = Move._xero_outbox_claim(conn, "invoices", 50)
            cr.commit()
            post = type(Move)._xero_post

            def post_while_user_cancels(recs, *args):
                # A user cancels the first bill while its creation is on the way to Xero.
                recs.env.cr.execute(
                    "UPDATE account_move SET state = 'cancel' WHERE id = %s", [bills[0].id]
                )
                return post(recs, *args)

            with patch.object(type(Move), "_xero_post", post_while_user_cancels):
                docs._xero_outbox_send(conn, "invoices", lookups)
            cr.commit()
        self.env.invalidate_all()
        self.assertEqual(bills[0].xero_state, "cancelled")
        self.assertEqual(self.xero_doc(bills[0])["Status"], "DELETED")
        self.assertEqual(bills[1].xero_state, "sent")

    def _tax_link(self, tax):
        return self.env["xero.link"].search(
            [
                ("connection_id", "=", self.connection.id),
                ("res_model", "=", "account.tax"),
                ("res_id", "=", tax.id),
            ]
        )

    def test_local_refusal_after_a_lost_answer_keeps_the_marker(self):
        bill = self.make_move(ref="SUP-LOST")
        self.sandbox.inject("lost_response", 10, path="/Invoices$", method="PUT")
        self.run_export()
        self.sandbox.clear_faults()
        key = bill.xero_pending_key
        self.assertTrue(key)
        self.assertEqual(len(self.xero_docs(Type="ACCPAY", InvoiceNumber="SUP-LOST")), 1)
        # Before the retry, a re-import drops the tax's link: refused here.
        link = self._tax_link(self.tax_purchase)
        link_values = link.read(["xero_id", "xero_code"])[0]
        link.unlink()
        self._expire_leases(bill)
        self.run_export()
        self.assertEqual(bill.xero_state, "error")
        self.assertEqual(bill.xero_pending_key, key, "a local refusal never clears the marker")
        # Fixed, and Odoo's address changed meanwhile: Resend finds it, creates nothing.
        self.env["xero.link"]._set(
            self.connection,
            self.tax_purchase,
            "tax",
            link_values["xero_id"],
            xero_code=link_values["xero_code"],
        )
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://erp.example.com")
        bill.action_xero_resend()
        since = self.mark()
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        self.assertFalse(self.calls(since, method="PUT", path="/Invoices"), "found, not recreated")
        self.assertEqual(len(self.xero_docs(Type="ACCPAY", InvoiceNumber="SUP-LOST")), 1)

    def test_lost_answer_is_found_whatever_the_clocks_say(self):
        # Xero's clock runs hours behind Odoo's: no time window may hide the document.
        self.sandbox.advance(-6 * 3600)
        self.addCleanup(self.sandbox.advance, 6 * 3600)
        bills = self._bills(2)
        self.sandbox.inject("lost_response", 10, path="/Invoices$", method="PUT")
        self.run_export()
        self.sandbox.clear_faults()
        self.assertEqual(len(self.xero_docs(Type="ACCPAY")), 2)
        self._expire_leases(bills)
        since = self.mark()
        self.run_export()
        self.assertEqual(set(bills.mapped("xero_state")), {"sent"}, bills.mapped("xero_error"))
        self._assert_once(bills)
        looked = self.calls(since, method="GET", path="/Invoices")
        self.assertFalse(any(c.get("if_modified_since") for c in looked), "no time window")
        self.assertFalse(self.calls(since, method="PUT", path="/Invoices"))

    def test_reset_to_draft_after_a_lost_answer_keeps_the_marker(self):
        bill = self.make_move(ref="SUP-DRAFT")
        self.sandbox.inject("lost_response", 10, path="/Invoices$", method="PUT")
        self.run_export()
        self.sandbox.clear_faults()
        bill.button_draft()
        self._expire_leases(bill)
        self.run_export()
        bill.action_post()
        self._expire_leases(bill)
        since = self.mark()
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        self.assertFalse(self.calls(since, method="PUT", path="/Invoices"), "found, not recreated")
        self.assertEqual(len(self.xero_docs(Type="ACCPAY", InvoiceNumber="SUP-DRAFT")), 1)
