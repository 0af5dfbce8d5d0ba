from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from .import_case import ImportCase


@tagged("post_install", "-at_install")
class TestImportTwoWay(ImportCase):
    def setUp(self):
        super().setUp()
        wizard = self.wizard("contact", search="Summit Packaging LLC")
        wizard.line_ids.selected = True
        wizard.action_import()
        self.xero_id = wizard.line_ids.xero_id
        self.partner = self.links._records_by_xero_id(
            self.connection, "res.partner", "contact", [self.xero_id]
        )[self.xero_id]
        self.link = self.linked(self.partner, "contact")
        self.user_env = self.as_accountant()

    def mail(self, who):
        """An address unique to the test: the sandbox keeps its data across tests."""
        return f"{who}-{self._testMethodName[5:25]}@summit.example"

    def _xero_contact(self):
        return next(c for c in self.xero("Contacts") if c["ContactID"] == self.xero_id)

    def _set_odoo_edit_time(self, when):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET write_date = %s WHERE id = %s", (when, self.partner.id)
        )
        self.partner.invalidate_recordset(["write_date"])

    def _run_queue(self):
        """The queue cron, as a worker runs it (it commits)."""
        self.env.flush_all()
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["xero.sync.state"]._cron_xero_queue()
        self.env.invalidate_all()

    def _queued(self):
        return bool(self.env["xero.contact.sync"]._pending(self.connection, self.partner.ids))

    def _conflict_logs(self):
        return self.env["xero.log"].search(
            [("operation", "=", "contact_conflict"), ("res_id", "=", self.partner.id)]
        )

    def test_user_edit_is_pushed_to_xero_in_a_batch(self):
        self.partner.with_env(self.user_env).write({"email": self.mail("new-ap")})
        self.assertTrue(self._queued(), "queued for Xero")
        since = self.last_seq()
        self._run_queue()
        writes = [c for c in self.sandbox.calls(since) if c["method"] == "POST"]
        self.assertEqual(len(writes), 1)
        self.assertEqual(self._xero_contact()["EmailAddress"], self.mail("new-ap"))
        self.assertFalse(self._queued())
        self.assertEqual(
            self.env["xero.sync.state"].action_update_from_xero()["params"]["message"],
            "Nothing to update",
        )

    def test_xero_change_arrives_on_update(self):
        self.sandbox.put_records(
            self.tenant,
            "Contacts",
            [{"ContactID": self.xero_id, "EmailAddress": self.mail("x")}],
        )
        self.env["xero.sync.state"].action_update_from_xero()
        self.assertEqual(self.partner.email, self.mail("x"))

    def test_conflict_xero_newer_wins_and_odoo_loss_is_logged(self):
        self.partner.with_env(self.user_env).write({"email": self.mail("odoo")})
        self._set_odoo_edit_time("2020-01-01 00:00:00")
        self.sandbox.put_records(
            self.tenant,
            "Contacts",
            [{"ContactID": self.xero_id, "EmailAddress": self.mail("xero")}],
        )
        message = self.env["xero.sync.state"].action_update_from_xero()["params"]["message"]
        self.assertIn("1 conflicts", message)
        self.assertEqual(self.partner.email, self.mail("xero"))
        self.assertIn("Odoo's edit was overwritten", self._conflict_logs().message)
        self.assertFalse(self._queued(), "nothing left to push")

    def test_conflict_odoo_newer_wins_and_xero_loss_is_logged(self):
        self.sandbox.put_records(
            self.tenant,
            "Contacts",
            [{"ContactID": self.xero_id, "EmailAddress": self.mail("xero")}],
        )
        self.partner.with_env(self.user_env).write({"email": self.mail("odoo")})
        self._set_odoo_edit_time("2099-01-01 00:00:00")
        self.env["xero.sync.state"].action_update_from_xero()
        self._run_queue()
        self.assertEqual(self.partner.email, self.mail("odoo"))
        self.assertIn("Xero's change was overwritten", self._conflict_logs().message)
        self.assertEqual(self._xero_contact()["EmailAddress"], self.mail("odoo"), "pushed")

    def test_push_meets_a_newer_xero_change(self):
        self.partner.with_env(self.user_env).write({"email": self.mail("odoo")})
        self._set_odoo_edit_time("2020-01-01 00:00:00")
        self.sandbox.put_records(
            self.tenant,
            "Contacts",
            [{"ContactID": self.xero_id, "EmailAddress": self.mail("xero")}],
        )
        self._run_queue()
        self.assertEqual(self.partner.email, self.mail("xero"))
        self.assertEqual(self._xero_contact()["EmailAddress"], self.mail("xero"))
        self.assertTrue(self._conflict_logs())
