from odoo.tests import tagged

from .export_common import XeroExportCase
from .payment_common import XeroPaymentCase


@tagged("post_install", "-at_install")
class TestExportLogContext(XeroExportCase):
    def _rows(self, since, operation):
        rows = (
            self.env["xero.log"].sudo().search([("id", ">", since), ("operation", "=", operation)])
        )
        return rows

    def test_log_rows_of_a_run_are_on_the_documents_each_call_sent(self):
        """One run creates a bill (PUT) and updates another (POST): each call's sync-log
        rows are on the documents it sent, not on every document of the run."""
        updated = self.make_move(ref="LOG-UPDATED")
        self.run_export()
        self.assertEqual(updated.xero_state, "sent", updated.xero_error)
        updated.button_draft()
        updated.invoice_line_ids.price_unit = 120.0
        updated.action_post()
        created = self.make_move(ref="LOG-CREATED", partner=self.vendor2)
        since = self.env["xero.log"].sudo().search([], limit=1).id
        mark = self.mark()
        self.run_export()
        self.assertEqual(created.xero_state, "sent", created.xero_error)
        self.assertEqual(updated.xero_state, "sent", updated.xero_error)
        self.assertEqual(len(self.calls(mark, method="PUT", path="/Invoices")), 1)
        self.assertEqual(len(self.calls(mark, method="POST", path="/Invoices")), 1)
        put, post = self._rows(since, "create_invoices"), self._rows(since, "save_invoices")
        self.assertEqual(len(put), 1)
        self.assertEqual((put.res_model, put.res_id), ("account.move", created.id))
        self.assertEqual(put.document_ref, created.display_name)
        self.assertEqual(len(post), 1)
        self.assertEqual((post.res_model, post.res_id), ("account.move", updated.id))
        self.assertIn(put, created.xero_log_ids)
        self.assertNotIn(put, updated.xero_log_ids)
        self.assertNotIn(post, created.xero_log_ids)
        # The status read before the update concerns the updated bill alone.
        status_reads = self._rows(since, "get_invoices")
        self.assertTrue(status_reads)
        self.assertEqual(set(status_reads.mapped("res_id")), {updated.id})


@tagged("post_install", "-at_install")
class TestPaymentLogContext(XeroPaymentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.xero_push_payments = True
        accounts = cls.env["xero.bank.account"]._xero_load(cls.connection)
        cls.bank_journal.xero_bank_account_id = accounts.filtered(lambda a: a.code == "090")

    def _rows(self, since, operation):
        Log = self.env["xero.log"].sudo()
        return Log.search([("id", ">", since), ("operation", "=", operation)])

    def test_payment_calls_are_logged_on_their_payments(self):
        first = self.register_payment(self.exported(), amount=60)
        second = self.register_payment(self.exported(ref="LOG-PAY-2"), amount=50)
        since = self.env["xero.log"].sudo().search([], limit=1).id
        self.run_push()
        self.assertEqual(first.xero_push_state, "sent", first.xero_push_error)
        self.assertEqual(second.xero_push_state, "sent", second.xero_push_error)
        created = self._rows(since, "create_payments")
        self.assertEqual(set(created.mapped("res_model")), {"account.payment"})
        self.assertEqual(set(created.mapped("res_id")), {first.id, second.id})
        second.action_cancel()
        since = self.env["xero.log"].sudo().search([], limit=1).id
        self.run_push()
        self.assertEqual(second.xero_push_state, "deleted")
        deleted = self._rows(since, "delete_payment")
        self.assertTrue(deleted)
        self.assertEqual(set(deleted.mapped("res_id")), {second.id}, "not on the other one")
