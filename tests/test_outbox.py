"""The outbox engine (models/xero_outbox.py) step by step, on a bill and on a payment:
claim, release, refuse, unknown outcome, adopt."""

import contextlib
import json
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import XeroHttpCase
from .test_payments_push_outbox import PushCase


@contextlib.contextmanager
def _worker(dbname):
    """A cursor on a connection of its own, as another Odoo worker has: it sees only
    committed rows and its row locks really exclude the others'."""
    cr = sql_db.db_connect(dbname).cursor()
    try:
        cr.execute("SET lock_timeout = '10s'")  # never hang the suite on a lock
        yield api.Environment(cr, SUPERUSER_ID, {})
    finally:
        cr.rollback()
        cr.close()


@tagged("post_install", "-at_install")
class TestOutboxClaim(PushCase):
    """Two workers with their own connections, on rows committed for the purpose (the
    test transaction's rows are invisible to another connection), removed after."""

    def _committed(self, create):
        """Create a row in a worker of its own, commit it and drop it after the test."""
        with _worker(self.env.cr.dbname) as env:
            record = create(env)
            env.cr.commit()
            model, ids = record._name, record.ids
            moves = record.move_id.ids if model == "account.payment" else []

        def drop():
            with _worker(self.env.cr.dbname) as env:
                table = SQL.identifier(env[model]._table)
                env.cr.execute(SQL("DELETE FROM %s WHERE id IN %s", table, tuple(ids)))
                if moves:
                    env.cr.execute("DELETE FROM account_move WHERE id IN %s", [tuple(moves)])
                env.cr.execute(
                    "DELETE FROM mail_message WHERE model = %s AND res_id IN %s",
                    [model, tuple(ids)],
                )
                env.cr.commit()

        self.addCleanup(drop)
        return model, ids[0]

    def _check_claim(self, model, rec_id, lane):
        dbname = self.env.cr.dbname
        with _worker(dbname) as env_a, _worker(dbname) as env_b:
            conn_a = env_a["xero.connection"].browse(self.connection.id)
            conn_b = env_b["xero.connection"].browse(self.connection.id)
            claimed, lookups = env_a[model]._xero_outbox_claim(conn_a, lane, 50)
            self.assertEqual(claimed.ids, [rec_id])
            self.assertFalse(lookups, "a first send has nothing to look up")
            key = claimed._xero_outbox_get("key")
            self.assertTrue(key.endswith(f"/{model}/{rec_id}/1"), key)
            # Worker A holds the row (not committed yet): worker B skips it.
            self.assertFalse(env_b[model]._xero_outbox_claim(conn_b, lane, 50)[0])
            env_a.cr.commit()
            # Claimed and leased: B still does not take it.
            env_b.cr.rollback()
            self.assertFalse(env_b[model]._xero_outbox_claim(conn_b, lane, 50)[0])
            # Worker A died during the call: once the lease is over, B takes it, with the
            # same key, to be looked up in Xero before anything is created.
            env_b.cr.rollback()
            env_b.cr.execute(
                SQL(
                    "UPDATE %s SET %s = %s WHERE id = %s",
                    SQL.identifier(env_b[model]._table),
                    SQL.identifier(env_b[model]._xero_outbox_fields["retry_at"]),
                    fields.Datetime.now() - timedelta(seconds=1),
                    rec_id,
                )
            )
            claimed, lookups = env_b[model]._xero_outbox_claim(conn_b, lane, 50)
            self.assertEqual((claimed.ids, lookups.ids), ([rec_id], [rec_id]))
            self.assertEqual(claimed._xero_outbox_get("key"), key)
            self.assertEqual(claimed._xero_outbox_get("count"), 1, "not a new send")

    def test_claim_of_a_bill(self):
        def create(env):
            bill = env["account.move"].create(
                {"move_type": "in_invoice", "partner_id": env.company.partner_id.id}
            )
            env.cr.execute(
                "UPDATE account_move SET state = 'posted', xero_state = 'queued' WHERE id = %s",
                [bill.id],
            )
            return bill

        self._check_claim(*self._committed(create), lane="invoices")

    def test_claim_of_a_payment(self):
        def create(env):
            journal = env["account.journal"].search(
                [("company_id", "=", env.company.id), ("type", "=", "bank")], limit=1
            )
            payment = env["account.payment"].create(
                {
                    "payment_type": "outbound",
                    "partner_type": "supplier",
                    "partner_id": env.company.partner_id.id,
                    "amount": 10.0,
                    "journal_id": journal.id,
                }
            )
            env.cr.execute(
                """UPDATE account_payment SET state = 'in_process', xero_origin = 'odoo',
                          xero_push_state = 'queued' WHERE id = %s""",
                [payment.id],
            )
            return payment

        self._check_claim(*self._committed(create), lane=None)


@tagged("post_install", "-at_install")
class TestOutboxTransitions(PushCase):
    """Release, refuse, unknown outcome and adopt, on a bill and on a payment."""

    def _claim(self, model, lane):
        self.env.flush_all()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            conn = env["xero.connection"].browse(self.connection.id)
            records, lookups = env[model]._xero_outbox_claim(conn, lane, 50)
            ids = records.ids, lookups.ids
            cr.commit()
        self.env.invalidate_all()
        return self.env[model].browse(ids[0]), self.env[model].browse(ids[1])

    def _bills(self, count):
        return self.env["account.move"].concat(
            *(self.make_move(ref=f"OUT-{i}") for i in range(count))
        )

    def _payments(self, count):
        bill = self.exported()
        return self.env["account.payment"].concat(
            *(self.register_payment(bill, amount=10 + i) for i in range(count))
        )

    def _expire(self, records):
        records._xero_outbox_set({"retry_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.env.flush_all()

    # -- release ------------------------------------------------------------------------
    def _check_release(self, records, lane):
        claimed, _lookups = self._claim(records._name, lane)
        self.assertEqual(claimed, records)
        first, second = records
        claimed._xero_outbox_release(False, first, "Xero is down")
        self.assertTrue(first._xero_outbox_get("key"), "unknown outcome: the marker stays")
        self.assertFalse(second._xero_outbox_get("key"), "not sent: the marker goes")
        self.assertEqual({r._xero_outbox_get("state") for r in records}, {"queued"})
        self.assertEqual({r._xero_outbox_get("error") for r in records}, {"Xero is down"})

    def test_release_of_bills(self):
        self._check_release(self._bills(2), "invoices")

    def test_release_of_payments(self):
        self._check_release(self._payments(2), None)

    # -- refuse -------------------------------------------------------------------------
    def _check_refuse(self, records, lane):
        self._claim(records._name, lane)
        local, by_xero = records
        key = local._xero_outbox_get("key")
        local._xero_outbox_refuse(["Fix this here first."], self.connection)
        self.assertEqual(local._xero_outbox_get("state"), "error")
        self.assertEqual(local._xero_outbox_get("key"), key, "a local refusal keeps the marker")
        self.assertIn("Fix this here first.", local._xero_outbox_get("error"))
        by_xero._xero_outbox_refuse(["Xero said no."], self.connection, by_xero=True)
        self.assertEqual(by_xero._xero_outbox_get("state"), "error")
        self.assertFalse(by_xero._xero_outbox_get("key"), "Xero's refusal clears the marker")
        # The failure is recorded once, everywhere a person looks.
        logs = self.env["xero.log"].search(
            [("res_model", "=", records._name), ("res_id", "=", local.id)]
        )
        self.assertIn("Fix this here first.", "\n".join(logs.mapped("message")))
        self.assertIn("Fix this here first.", local.message_ids[:1].body)

    def test_refuse_a_bill(self):
        self._check_refuse(self._bills(2), "invoices")

    def test_refuse_a_payment(self):
        self._check_refuse(self._payments(2), None)

    # -- unknown outcome, then found and adopted ------------------------------------------
    def test_bill_created_by_xero_whose_answer_was_lost_is_adopted(self):
        bill = self.make_move(ref="OUT-LOST")
        self.sandbox.inject("lost_response", 10, path="/Invoices$", method="PUT")
        self.run_export()
        self.sandbox.clear_faults()
        in_xero = self.xero_docs(Type="ACCPAY", InvoiceNumber="OUT-LOST")
        self.assertEqual(len(in_xero), 1, "Xero created it")
        self.assertEqual((bill.xero_state, bill.xero_id), ("queued", False))
        key = bill.xero_pending_key
        self.assertTrue(key, "outcome unknown: the marker stays")
        self._expire(bill)
        claimed, lookups = self._claim("account.move", "invoices")
        self.assertEqual((claimed, lookups), (bill, bill))
        self.assertEqual(bill.xero_pending_key, key, "the same key: the same send")
        self._expire(bill)
        since = self.mark()
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        self.assertEqual(bill.xero_id, in_xero[0]["InvoiceID"], "adopted")
        self.assertFalse(bill.xero_pending_key, "a definite answer clears the marker")
        self.assertFalse(self.calls(since, method="PUT", path="/Invoices"), "not created again")
        self.assertEqual(len(self.xero_docs(Type="ACCPAY", InvoiceNumber="OUT-LOST")), 1)

    def test_payment_created_by_xero_whose_answer_was_lost_is_adopted(self):
        bill = self.exported()
        payment = self.register_payment(bill, amount=25)
        self.lose_answers()
        self.run_push()
        self.sandbox.clear_faults()
        self.assertEqual(len(self.xero_payments(bill)), 1, "Xero created it")
        self.assertEqual((payment.xero_push_state, payment.xero_payment_id), ("queued", False))
        key = payment.xero_push_key
        self.assertTrue(key, "outcome unknown: the marker stays")
        self._expire(payment)
        claimed, lookups = self._claim("account.payment", None)
        self.assertEqual((claimed, lookups), (payment, payment))
        self.assertEqual(payment.xero_push_key, key)
        self._expire(payment)
        since = self.mark()
        self.run_push()
        self.assertEqual(payment.xero_push_state, "sent", payment.xero_push_error)
        self.assertEqual(payment.xero_payment_id, self.xero_payments(bill)[0]["PaymentID"])
        self.assertFalse(payment.xero_push_key)
        self.assertFalse(self.calls(since, method="PUT", path="/Payments"), "not created again")
        self.assertEqual(len(self.xero_payments(bill)), 1)

    def test_adopt_a_bill(self):
        bill = self.make_move(ref="OUT-ADOPT")
        self.sandbox.inject("lost_response", 10, path="/Invoices$", method="PUT")
        self.run_export()
        self.sandbox.clear_faults()
        record = self.xero_docs(Type="ACCPAY", InvoiceNumber="OUT-ADOPT")[0]
        bill._xero_outbox_adopt(self.connection, record)
        self.assertEqual((bill.xero_state, bill.xero_id), ("sent", record["InvoiceID"]))
        self.assertFalse(bill.xero_pending_key)
        self.assertFalse(bill.xero_retry_at)


@tagged("post_install", "-at_install")
class TestNoPushOverRpc(XeroHttpCase):
    """``xero_no_push`` is the payment sync's own flag: a context sent over JSON-RPC
    cannot carry it, so a payment reset in Odoo is still deleted in Xero."""

    def test_xero_no_push_in_an_rpc_context_does_not_keep_the_payment_in_xero(self):
        new_test_user(
            self.env,
            "rpc_payer",
            password="rpc_payer_password",
            groups="account.group_account_manager,base.group_user",
        )
        journal = self.env["account.journal"].search(
            [("company_id", "=", self.env.company.id), ("type", "=", "bank")], limit=1
        )
        payment = self.env["account.payment"].create(
            {
                "payment_type": "outbound",
                "partner_type": "supplier",
                "partner_id": self.env.company.partner_id.id,
                "amount": 12.0,
                "journal_id": journal.id,
            }
        )
        payment.action_post()
        payment.write(
            {
                "xero_origin": "odoo",
                "xero_push_state": "sent",
                "xero_payment_id": "0a0a0a0a-0000-4000-8000-000000000999",
            }
        )
        self.authenticate("rpc_payer", "rpc_payer_password")
        response = self.url_open(
            "/web/dataset/call_kw/account.payment/action_draft",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": "account.payment",
                        "method": "action_draft",
                        "args": [[payment.id]],
                        "kwargs": {"context": {"xero_no_push": True}},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertFalse(response.json().get("error"), response.text)
        payment.invalidate_recordset()
        self.assertEqual(payment.state, "draft")
        self.assertEqual(payment.xero_push_state, "to_delete", "still deleted in Xero")
