from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .import_case import ImportCase

BULK = 250


@tagged("post_install", "-at_install")
class TestImportBackground(ImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox.put_records(
            cls.tenant,
            "Contacts",
            [
                {
                    "ContactID": f"0000dddd-0000-4000-8000-{i:012d}",
                    "Name": f"Bulk Supplier {i:04d}",
                    "ContactStatus": "ACTIVE",
                    "TaxNumber": f"BULK{i:04d}",
                    "EmailAddress": f"bulk{i}@x.example",
                    "Addresses": [],
                    "Phones": [],
                    "IsSupplier": True,
                }
                for i in range(BULK)
            ],
        )

    def test_rate_limit_reschedules_the_queue_at_xero_time(self):
        wizard = self.wizard("contact", search="Bulk Supplier")
        wizard.action_import_all()
        budget = self.env["xero.rate.budget"]
        self.addCleanup(budget._reset, self.tenant)
        budget._limiter(self.connection).blocked(self.tenant, 120, "minute")  # Xero said 429
        queue = self.env.ref("xero_connector.ir_cron_xero_queue")
        self.env["ir.cron.trigger"].search([("cron_id", "=", queue.id)]).unlink()
        since = self.sandbox.calls()[-1]["seq"]
        self.env["xero.sync.state"]._cron_xero_queue()
        self.assertFalse(self.sandbox.calls(since), "nothing sent before Xero's retry time")
        self.assertTrue(wizard.sync_state_id.import_pending, "the import stays queued")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", queue.id)])
        self.assertEqual(len(triggers), 1)
        self.assertGreater(triggers.call_at, fields.Datetime.now() + timedelta(seconds=100))

    def test_import_all_runs_in_batches_with_progress(self):
        # Batches of 100 instead of 1,000 contacts, so that 250 take three runs.
        importer = type(self.env["xero.import.contact"])
        self.patch(importer, "_queue_batch", 100)
        wizard = self.wizard("contact", search="Bulk Supplier")
        self.assertEqual(len(wizard.line_ids), 100)
        self.assertEqual(wizard.total, BULK)
        wizard.action_import_all()
        self.assertTrue(wizard.import_pending)
        self.assertEqual(wizard.import_total, BULK)
        queue = self.env.ref("xero_connector.ir_cron_xero_queue")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", queue.id)]))
        runs = []
        for _attempt in range(5):
            progress = self.env["ir.cron.progress"].create({"cron_id": queue.id})
            self.env["xero.sync.state"].with_context(
                ir_cron_progress_id=progress.id
            )._cron_xero_queue()
            runs.append((progress.done, progress.remaining))
            if not wizard.sync_state_id.import_pending:
                break
        self.assertEqual([done for done, _rest in runs], [100, 100, 50])
        self.assertGreater(runs[0][1], 0, "Odoo runs the cron again at once")
        self.assertEqual(runs[-1][1], 0)
        state = wizard.sync_state_id
        self.assertEqual((state.import_offset, state.import_done), (BULK, BULK))
        links = self.links.search(
            [("connection_id", "=", self.connection.id), ("xero_id", "like", "0000dddd-%")]
        )
        self.assertEqual(len(links), BULK)
        self.assertEqual(self.env["res.partner"].search_count([("vat", "=like", "BULK%")]), BULK)

    def test_a_second_background_import_of_the_same_type_is_refused(self):
        wizard = self.wizard("contact", search="Bulk Supplier")
        wizard.action_import_all()
        with self.assertRaisesRegex(UserError, "already running"):
            wizard.action_import_all()

    def test_sql_per_record_stays_bounded(self):
        contacts = [
            c for c in self.sandbox.records(self.tenant, "Contacts") if c["Name"].startswith("Bulk")
        ]
        contacts.sort(key=lambda c: c["Name"])
        importer = self.env["xero.import.contact"]
        per_record = []
        for batch in (contacts[:50], contacts[50:150]):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            counts, errors = importer._import(self.connection, batch)
            self.env.flush_all()
            self.assertEqual((counts["created"], errors), (len(batch), []))
            per_record.append((self.cr.sql_log_count - before) / len(batch))
        self.assertLess(per_record[1], per_record[0] * 1.2, "does not grow with the data")
        self.assertLess(per_record[1], 15)
