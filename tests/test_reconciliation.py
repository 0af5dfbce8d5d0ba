"""Month-end reconciliation: every document and payment of a period compared with Xero,
and the payables/receivables balances compared with Xero's Trial Balance."""

from datetime import timedelta

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..xero import normalize_token
from ..xero.scopes import FEATURE_SCOPES, requested_scopes
from .payment_common import XeroPaymentCase

# what the connection asks for, and the same without the reports scope
REPORTS_SCOPE = requested_scopes()
NO_REPORTS_SCOPE = requested_scopes([f for f in FEATURE_SCOPES if f != "reconciliation"])


class ReconciliationCase(XeroPaymentCase):
    def setUp(self):
        super().setUp()
        # each test makes some 20 calls: start with a fresh minute (Xero's and ours)
        self.sandbox.limits(reset=True)
        self.env["xero.rate.budget"]._reset(self.tenant)
        # what earlier tests left in the organisation (Odoo's side was rolled back)
        for collection, key in (("PurchaseOrders", "PurchaseOrderID"), ("Payments", "PaymentID")):
            rows = [
                {key: r[key], "Status": "DELETED"}
                for r in self.sandbox.records(self.tenant, collection)
                if r.get("Status") != "DELETED"
            ]
            if rows:
                self.sandbox.put_records(self.tenant, collection, rows)
        token = self.sandbox.tokens(scope=REPORTS_SCOPE, tenants=[self.tenant])
        self.connection.sudo().token_data = normalize_token(token)
        today = fields.Date.context_today(self.env["xero.reconciliation"])
        self.today = today
        self.date_from = today.replace(day=1)
        self.date_to = (self.date_from + timedelta(days=32)).replace(day=1) - timedelta(days=1)

    def reconcile(self, **vals):
        run = self.env["xero.reconciliation"].create(
            dict({"date_from": self.date_from, "date_to": self.date_to}, **vals)
        )
        self.assertTrue(run._run(), run.error_message)
        return run

    def line_of(self, run, record, category=None):
        lines = run.line_ids.filtered(
            lambda line: line.res_model == record._name and line.res_id == record.id
        )
        if category:
            self.assertEqual(lines.mapped("category"), [category], lines.mapped("reason"))
        return lines

    def made_in_xero(self, number, amount=10.0, type_="ACCPAY", day=None):
        contact = self.env["xero.link"]._xero_ids(self.connection, self.vendor, "contact")
        result = self.connection._client().send_batch(
            "invoices",
            [
                (
                    number,
                    {
                        "Type": type_,
                        "Status": "AUTHORISED",
                        "Date": str(day or self.today),
                        "Contact": {"ContactID": contact[self.vendor.id]},
                        "InvoiceNumber": number,
                        "LineItems": [
                            {
                                "Description": "Made in Xero",
                                "Quantity": 1,
                                "UnitAmount": amount,
                                "AccountCode": "300",
                                "TaxType": "INPUT",
                            }
                        ],
                    },
                )
            ],
            create_only=True,
        )[0]
        self.assertTrue(result.ok, result.errors)
        return result.xero_id


@tagged("post_install", "-at_install")
class TestReconciliation(ReconciliationCase):
    def test_equal_documents_and_a_bill_edited_in_xero_after_export(self):
        bill = self.exported(lines=[{"price_unit": 100.0}])
        invoice = self.exported("out_invoice", partner=self.customer)
        # an accountant changes the bill's amounts in Xero
        self.sandbox.put_records(
            self.tenant,
            "Invoices",
            [{"InvoiceID": bill.xero_id, "Total": 126.5, "TotalTax": 16.5, "AmountDue": 126.5}],
        )
        run = self.reconcile()
        self.assertEqual(run.state, "done")
        line = self.line_of(run, bill, "differ")
        self.assertEqual(line.differences, "total, tax")
        self.assertEqual((line.odoo_total, line.xero_total), (115.0, 126.5))
        self.assertEqual((line.odoo_tax, line.xero_tax), (15.0, 16.5))
        self.assertEqual(line.xero_number, bill.xero_number)
        self.assertTrue(line.xero_url.endswith(bill.xero_id))
        self.line_of(run, invoice, "match")
        self.assertEqual((run.match_count, run.differ_count), (1, 1))
        self.assertEqual(run.health, "danger")
        # the line opens the Odoo document
        action = line.action_open_odoo()
        self.assertEqual((action["res_model"], action["res_id"]), ("account.move", bill.id))
        self.assertEqual(line.action_open_xero()["url"], line.xero_url)
        self.assertFalse(line.can_resend, "approved in Xero: revised there, not resent")

    def test_a_draft_edited_in_xero_is_fixed_by_sending_it_again(self):
        self.company.xero_document_status = "SUBMITTED"
        bill = self.exported(lines=[{"price_unit": 100.0}])
        self.sandbox.put_records(
            self.tenant, "Invoices", [{"InvoiceID": bill.xero_id, "Total": 99.0}]
        )
        line = self.line_of(self.reconcile(), bill, "differ")
        self.assertEqual(line.xero_status, "SUBMITTED")
        self.assertTrue(line.can_resend)
        line.action_resend()
        self.assertEqual(bill.xero_state, "queued")
        self.run_export()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        self.line_of(self.reconcile(), bill, "match")

    def test_purchase_orders_and_credit_notes(self):
        order = self.make_po()
        self.run_export("purchase.order")
        self.assertEqual(order.xero_state, "sent", order.xero_error)
        note = self.exported("out_refund", partner=self.customer)
        edited = self.make_po(lines=[{"price_unit": 10.0, "product_qty": 3}])
        self.run_export("purchase.order")
        self.sandbox.put_records(
            self.tenant,
            "PurchaseOrders",
            [{"PurchaseOrderID": edited.xero_id, "Total": 99.0}],
        )
        run = self.reconcile()
        self.assertEqual(self.line_of(run, order, "match").doc_type, "purchase_order")
        self.assertEqual(self.line_of(run, note, "match").doc_type, "customer_refund")
        line = self.line_of(run, edited, "differ")
        self.assertEqual(line.differences, "total")
        self.assertEqual((line.odoo_total, line.xero_total), (34.5, 99.0))
        self.assertFalse(line.side, "orders are not in payables")

    def test_documents_in_odoo_only_say_why(self):
        sent = self.exported()
        deleted = self.exported()
        self.sandbox.put_records(
            self.tenant, "Invoices", [{"InvoiceID": deleted.xero_id, "Status": "DELETED"}]
        )
        queued = self.make_move()
        self.assertEqual(queued.xero_state, "queued")
        failed = self.make_move(partner=self.vendor2)
        failed._xero_set_error("Account code '999' is not a valid code", post=False)
        self.company.xero_export_purchase_order = False
        self.make_po()  # a type this company does not send: not reconciled
        run = self.reconcile()
        self.line_of(run, sent, "match")
        gone = self.line_of(run, deleted, "odoo_only")
        self.assertEqual(gone.reason, "Sent, then deleted in Xero")
        self.assertEqual(gone.xero_status, "DELETED")
        self.assertFalse(gone.xero_url, "nothing to open in Xero")
        self.assertFalse(gone.can_resend)
        self.assertEqual(self.line_of(run, queued, "odoo_only").reason, "Waiting to be sent")
        error = self.line_of(run, failed, "odoo_only")
        self.assertIn("Account code '999'", error.reason)
        self.assertTrue(error.can_resend)
        self.assertFalse(run.line_ids.filtered(lambda x: x.doc_type == "purchase_order"))
        self.assertEqual(run.odoo_only_count, 3)
        self.assertEqual(run.odoo_only_amount, 3 * 115.0)
        # resend from the result: the document goes back in the queue
        error.action_resend()
        self.assertEqual(failed.xero_state, "queued")
        self.assertTrue(error.fixed)

    def test_a_document_made_only_in_xero_and_its_payment(self):
        xero_id = self.made_in_xero("XERO-ONLY-7", amount=40.0)  # 46.00 with tax
        self.sandbox.pay(self.tenant, xero_id, 20, date=str(self.today))
        run = self.reconcile()
        line = run.line_ids.filtered(lambda x: x.xero_id == xero_id)
        self.assertEqual(line.category, "xero_only")
        self.assertEqual(line.reason, "Created in Xero, or sent there by another system")
        self.assertEqual(
            (line.xero_total, line.xero_paid, line.xero_status), (46.0, 20.0, "AUTHORISED")
        )
        self.assertEqual(line.xero_number, "XERO-ONLY-7")
        payment = run.line_ids.filtered(lambda x: x.category == "payment_xero_only")
        self.assertEqual(len(payment), 1)
        self.assertEqual(payment.reason, "Made in Xero on a document Odoo never sent")
        self.assertEqual(payment.xero_total, 20.0)
        self.assertTrue(payment.xero_url.endswith(xero_id), "opens the document it pays")
        self.assertEqual((run.xero_only_count, run.xero_only_amount), (1, 46.0))
        # the accountant links it to the bill entered in Odoo by hand
        bill = self.make_move(lines=[{"price_unit": 40.0}])
        bill._xero_write({"xero_state": "not_sent"})
        line.link_move_id = bill
        line.action_link()
        self.assertEqual(bill.xero_id, xero_id)
        self.assertEqual(bill.xero_state, "sent")
        self.assertTrue(line.fixed)
        again = self.reconcile()
        self.line_of(again, bill, "differ")  # 20.00 paid in Xero only
        self.assertEqual(self.line_of(again, bill).differences, "amount paid")

    def test_payment_made_in_xero_on_a_sent_bill_is_pulled_from_the_result(self):
        bill = self.exported(lines=[{"price_unit": 200.0}])  # 230.00
        self.pay_in_xero(bill, 30, date=str(self.today))
        run = self.reconcile()
        line = self.line_of(run, bill, "differ")
        self.assertEqual(line.differences, "amount paid")
        self.assertEqual((line.odoo_paid, line.xero_paid), (0.0, 30.0))
        payment = run.line_ids.filtered(lambda x: x.category == "payment_xero_only")
        self.assertEqual(payment.reason, f"Made in Xero on {bill.display_name}; not in Odoo")
        self.assertTrue(payment.can_pull)
        payment.action_pull_payments()
        self.assertEqual(bill.amount_residual, 200.0)
        again = self.reconcile()
        self.line_of(again, bill, "match")
        self.assertFalse(again.line_ids.filtered(lambda x: x.category.startswith("payment")))

    def test_payment_in_xero_on_last_months_bill_explains_the_balance(self):
        last_month = self.date_from - timedelta(days=3)
        bill = self.exported(invoice_date=last_month)  # 115.00, dated last month
        self.pay_in_xero(bill, 30, date=str(self.today))
        run = self.reconcile()
        self.assertFalse(self.line_of(run, bill), "the bill is not of this period")
        payment = run.line_ids.filtered(lambda x: x.category == "payment_xero_only")
        self.assertEqual(payment.target_res_id, bill.id)
        self.assertAlmostEqual(payment.balance_effect, -30.0)
        self.assertAlmostEqual(run.payable_difference, -30.0)
        self.assertAlmostEqual(run.payable_unexplained, 0.0)

    def test_payment_registered_in_odoo_and_not_in_xero(self):
        self.company.xero_push_payments = False
        bill = self.exported()
        self.register_payment(bill, 15.0)
        run = self.reconcile()
        line = run.line_ids.filtered(lambda x: x.category == "payment_odoo_only")
        self.assertEqual(len(line), 1, run.line_ids.mapped("reason"))
        self.assertEqual(line.odoo_total, 15.0)
        self.assertEqual(line.reason, "Not sent to Xero")
        self.assertEqual(self.line_of(run, bill, "differ").differences, "amount paid")

    def test_balances_against_the_trial_balance(self):
        self.exported()  # 115.00 owed in both
        self.exported("out_invoice", partner=self.customer)  # 115.00 due in both
        unsent = self.make_move(lines=[{"price_unit": 200.0}])  # 230.00 owed in Odoo only
        unsent._xero_write({"xero_state": "not_sent"})
        xero_only = self.made_in_xero("XERO-ONLY-TB", amount=100.0)  # 115.00 in Xero only
        run = self.reconcile()
        self.assertEqual(run.balance_state, "ok")
        self.assertIn("Accounts Payable (800)", run.xero_accounts_used)
        self.assertAlmostEqual(run.odoo_payable - run.xero_payable, -230.0 + 115.0)
        self.assertAlmostEqual(run.payable_difference, -115.0)
        self.assertAlmostEqual(run.payable_explained, -115.0)
        self.assertAlmostEqual(run.payable_unexplained, 0.0)
        self.assertAlmostEqual(run.receivable_difference, 0.0)
        self.assertAlmostEqual(run.odoo_receivable, 115.0)
        self.assertAlmostEqual(run.xero_receivable, 115.0)
        self.assertTrue(run.line_ids.filtered(lambda x: x.xero_id == xero_only))

    def test_a_bill_awaiting_approval_in_xero_explains_the_payables(self):
        # Xero's Trial Balance holds only approved documents: a bill sent as "Awaiting
        # Approval" is owed in Odoo and not yet in Xero's ledger, and says so.
        self.company.xero_document_status = "SUBMITTED"
        bill = self.exported()  # 115.00
        run = self.reconcile()
        line = self.line_of(run, bill, "match")
        self.assertEqual(line.xero_status, "SUBMITTED")
        self.assertAlmostEqual(line.balance_effect, -115.0)
        self.assertAlmostEqual(run.payable_difference, -115.0)
        self.assertAlmostEqual(run.payable_explained, -115.0)
        self.assertAlmostEqual(run.payable_unexplained, 0.0)

    def test_foreign_currency_documents_and_balances(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create(
            {
                "currency_id": eur.id,
                "rate": 0.8,
                "name": "2020-01-01",
                "company_id": self.company.id,
            }
        )
        sent = self.exported(currency_id=eur.id, lines=[{"price_unit": 80.0}])  # 92 EUR
        unsent = self.make_move(currency_id=eur.id, lines=[{"price_unit": 40.0}])  # 46 EUR
        unsent._xero_write({"xero_state": "not_sent"})
        run = self.reconcile()
        line = self.line_of(run, sent, "match")
        self.assertEqual(line.doc_currency_id, eur)
        self.assertEqual(
            (line.odoo_total, line.xero_total, line.currency_code), (92.0, 92.0, "EUR")
        )
        self.assertEqual(self.line_of(run, unsent, "odoo_only").odoo_total, 46.0)
        # 92 EUR at 0.8 = 115 USD in both; 46 EUR = 57.50 USD owed in Odoo only
        self.assertAlmostEqual(run.xero_payable, -115.0)
        self.assertAlmostEqual(run.odoo_payable, -172.5)
        self.assertAlmostEqual(run.payable_difference, -57.5)
        self.assertAlmostEqual(run.payable_explained, -57.5)
        self.assertAlmostEqual(run.payable_unexplained, 0.0)

    def test_all_agree(self):
        self.exported()
        run = self.reconcile()
        self.assertEqual((run.issue_count, run.health), (0, "ok"), run.line_ids.mapped("reason"))
        self.assertEqual(run.match_count, 1)
        self.assertLess(run.xero_calls, 10)

    def test_marking_a_difference_as_expected(self):
        self.made_in_xero("XERO-EXPECTED")
        self.exported()
        run = self.reconcile()
        line = run.line_ids.filtered(lambda x: x.category == "xero_only")
        line.note = "Entered in Xero by the accountant"
        line.action_mark_expected()
        self.assertEqual(run.issue_count, 0)
        self.assertEqual(run.expected_count, 1)
        # running the period again keeps what was accepted
        self.assertTrue(run._run())
        line = run.line_ids.filtered(lambda x: x.category == "xero_only")
        self.assertTrue(line.expected)
        self.assertEqual(line.note, "Entered in Xero by the accountant")
        self.assertEqual(run.issue_count, 0)

    def test_without_the_reports_scope_the_documents_are_still_compared(self):
        token = self.sandbox.tokens(scope=NO_REPORTS_SCOPE, tenants=[self.tenant])
        self.connection.sudo().token_data = normalize_token(token)
        bill = self.exported()
        run = self.reconcile()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.balance_state, "scope")
        self.assertIn("reports", run.balance_message)
        self.assertIn("Connect", run.balance_message)
        self.line_of(run, bill, "match")
        self.assertEqual(self.connection.state, "connected", "the connection is not broken")

    def test_xero_unreachable_fails_the_run_with_the_reason(self):
        self.connection.sudo().state = "reconnect"
        run = self.env["xero.reconciliation"].create(
            {"date_from": self.date_from, "date_to": self.date_to}
        )
        self.assertFalse(run._run())
        self.assertEqual(run.state, "failed")
        self.assertIn("reconnected", run.error_message)
        with self.assertRaises(UserError):
            run.action_run()


@tagged("post_install", "-at_install")
class TestReconciliationBackground(ReconciliationCase):
    def run_cron(self, method="_cron_run"):
        self.env.flush_all()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            getattr(env["xero.reconciliation"], method)()
        self.env.invalidate_all()

    def test_run_in_the_background_and_reopen_it(self):
        bill = self.exported()
        run = self.env["xero.reconciliation"].create(
            {"date_from": self.date_from, "date_to": self.date_to}
        )
        run.action_run()
        self.assertEqual(run.state, "queued")
        cron = self.env.ref("xero_connector.ir_cron_xero_reconciliation")
        self.assertTrue(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), "triggered"
        )
        self.run_cron()
        self.assertEqual((run.state, run.progress), ("done", 100))
        self.assertEqual(self.line_of(run, bill, "match").category, "match")
        # the stored result is read again later, and the Overview shows it
        latest = self.env["xero.reconciliation"]._latest_done(self.company)
        self.assertEqual(latest, run)
        cards = self.env["xero.overview"].search([("company_id", "=", self.company.id)])
        bills = cards.filtered(lambda c: c.doc_type == "vendor_bill")
        self.assertEqual(bills.recon_health, "ok")
        self.assertEqual(bills.recon_issue_count, 0)

    def test_rate_limit_postpones_the_run_to_xeros_retry_time(self):
        self.exported()
        run = self.env["xero.reconciliation"].create(
            {"date_from": self.date_from, "date_to": self.date_to}
        )
        run.action_run()
        self.sandbox.inject("429", 50, retry_after=120, path="/Payments$", method="GET")
        self.addCleanup(self.env["xero.rate.budget"]._reset, self.tenant)
        self.run_cron()
        self.assertEqual(run.state, "queued")
        self.assertEqual(run.progress_message, "Waiting for Xero's rate limit")
        self.assertFalse(run.line_ids)
        cron = self.env.ref("xero_connector.ir_cron_xero_reconciliation")
        later = self.env["ir.cron.trigger"].search(
            [
                ("cron_id", "=", cron.id),
                ("call_at", ">=", fields.Datetime.now() + timedelta(seconds=60)),
            ]
        )
        self.assertTrue(later, "runs again at Xero's retry time")
        self.sandbox.clear_faults()
        self.env["xero.rate.budget"]._reset(self.tenant)
        self.run_cron()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.match_count, 1)

    def test_monthly_schedule_tells_the_administrators(self):
        cron = self.env.ref("xero_connector.ir_cron_xero_reconciliation_monthly")
        self.assertFalse(cron.active, "off until an administrator turns it on")
        admin = self.env["res.users"].create(
            {
                "name": "Xero Admin",
                "login": "xero-recon-admin",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [Command.set([self.env.ref("xero_connector.group_xero_manager").id])],
            }
        )
        start, end = self.env["xero.reconciliation"]._default_period()
        self.assertEqual(start.day, 1)
        self.assertEqual(end + timedelta(days=1), self.date_from, "last month")
        self.made_in_xero("XERO-SCHEDULED", day=start)
        self.env["xero.reconciliation"]._cron_scheduled()
        run = self.env["xero.reconciliation"].search(
            [("scheduled", "=", True), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(len(run), 1)
        self.assertEqual((run.date_from, run.date_to, run.state), (start, end, "done"))
        self.assertEqual(run.xero_only_count, 1)
        activity = run.activity_ids.filtered(lambda a: a.user_id == admin)
        self.assertEqual(len(activity), 1)
        self.assertIn("1 difference", str(activity.note))


@tagged("post_install", "-at_install")
class TestReconciliationSecurity(ReconciliationCase):
    def test_users_read_and_administrators_run(self):
        run = self.reconcile()
        user = self.env["res.users"].create(
            {
                "name": "Xero User",
                "login": "xero-recon-user",
                "company_id": self.company.id,
                "company_ids": [Command.set(self.company.ids)],
                "groups_id": [Command.set([self.env.ref("xero_connector.group_xero_user").id])],
            }
        )
        as_user = run.with_user(user)
        self.assertEqual(as_user.state, "done")
        as_user.line_ids.mapped("category")
        with self.assertRaises(UserError):
            as_user.action_run()
        with self.assertRaises(AccessError):
            self.env["xero.reconciliation"].with_user(user).create(
                {"date_from": self.date_from, "date_to": self.date_to}
            )
        lines = as_user.line_ids
        if lines:
            with self.assertRaises(UserError):
                lines[0].action_mark_expected()

    def test_other_companies_runs_are_invisible(self):
        run = self.reconcile()
        other = self.env["res.company"].create({"name": "Recon Other Co"})
        user = self.env["res.users"].create(
            {
                "name": "Other Admin",
                "login": "xero-recon-other",
                "company_id": other.id,
                "company_ids": [Command.set(other.ids)],
                "groups_id": [Command.set([self.env.ref("xero_connector.group_xero_manager").id])],
            }
        )
        Run = self.env["xero.reconciliation"].with_user(user)
        self.assertFalse(Run.search([("id", "=", run.id)]))
        self.assertFalse(
            self.env["xero.reconciliation.line"]
            .with_user(user)
            .search([("reconciliation_id", "=", run.id)])
        )
