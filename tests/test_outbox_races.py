"""What several Odoo workers on one database do to each other's outbox runs."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from ..xero import XeroTransientError
from .export_common import XeroExportCase

CRON = "xero_connector.ir_cron_xero_export_account_move"
XERO_ID = "00000000-0000-4000-8000-0000000000a1"


@tagged("post_install", "-at_install")
class TestOutboxRaces(XeroExportCase):
    def test_a_batch_leased_by_a_run_that_died_wakes_the_cron_when_its_lease_ends(self):
        bill = self.make_move()
        self.assertEqual(bill.xero_state, "queued")
        # the worker that claimed it was killed: its lease runs for a while yet
        due = fields.Datetime.now().replace(microsecond=0) + timedelta(seconds=20)
        bill.write({"xero_retry_at": due, "xero_pending_key": "a-killed-worker/1"})
        cron = self.env.ref(CRON)
        Trigger = self.env["ir.cron.trigger"].sudo()
        Trigger.search([("cron_id", "=", cron.id)]).unlink()
        self.assertEqual(self.run_export(), 0, "nothing claimable before the lease ends")
        calls = Trigger.search([("cron_id", "=", cron.id)]).mapped("call_at")
        self.assertIn(due, calls, "not left to the cron's next scheduled run")

    def test_a_link_another_worker_just_made_is_retried_not_a_failed_run(self):
        partner = self.env["res.partner"].create({"name": "Linked By Two Workers"})
        Link = self.env["xero.link"].sudo()
        first = Link._set(self.connection, partner, "contact", XERO_ID)
        # the other worker's link is committed after this transaction began: invisible
        with (
            patch.object(type(Link), "_find", lambda *args, **kwargs: Link.browse()),
            self.assertRaises(XeroTransientError),
        ):
            Link._set(self.connection, partner, "contact", XERO_ID)
        # the transaction goes on, with the first link untouched
        self.assertEqual(Link._find(self.connection, partner, "contact"), first)
