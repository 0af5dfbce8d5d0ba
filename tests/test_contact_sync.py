"""Contact writes to Xero happen once: per-contact keys and send generations, a "maybe
sent" marker kept until Xero's definite answer, a lookup before creating again, and a
claim with a lease for the pushes."""

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from ..xero import XeroError
from .common import DEMO_ORG, XeroCase, org_id


@tagged("post_install", "-at_install")
class TestContactSync(XeroCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connect()
        cls.tenant = org_id(cls.sandbox, DEMO_ORG)
        cls.Partner = cls.env["res.partner"]
        cls.Sync = cls.env["xero.contact.sync"]

    def _contacts(self):
        return {c["ContactID"]: c for c in self.sandbox.records(self.tenant, "Contacts")}

    def _suppliers(self, *names):
        return self.Partner.create(
            [{"name": f"{name} {self._testMethodName[5:30]}", "is_company": True} for name in names]
        )

    def _rows(self, partners):
        return self.Sync.search(
            [("connection_id", "=", self.connection.id), ("partner_id", "in", partners.ids)]
        )

    def _push(self):
        """The queue cron, as a worker runs it (it commits)."""
        self.env.flush_all()
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["xero.sync.state"]._cron_xero_queue()
        self.env.invalidate_all()

    def _expire_leases(self, partners):
        self._rows(partners).write({"retry_at": False})

    def _lost(self, partners):
        """Create ``partners`` in Xero, every answer lost (not assertRaises: it would
        roll back what was committed before the call)."""
        self.sandbox.inject("lost_response", 20, path="/Contacts$", method="PUT")
        try:
            partners._xero_ensure_contacts(self.connection)
        except XeroError:
            pass
        else:
            self.fail("the create's answer was not lost")
        finally:
            self.sandbox.clear_faults()

    def _conflicts(self, partners):
        return self.env["xero.log"].search(
            [("operation", "=", "contact_conflict"), ("res_id", "in", partners.ids)]
        )

    def test_lost_create_retried_in_another_chunk_creates_no_duplicate(self):
        first, second, third = self._suppliers("Lost Create A", "Lost Create B", "Lost Create C")
        before = len(self._contacts())
        # Xero creates the three contacts but none of its answers arrives
        self._lost(first | second | third)
        self.assertEqual(len(self._contacts()), before + 3)
        self.assertTrue(all(self._rows(first | second | third).mapped("pending_key")))
        old_name = second.name
        # meanwhile a user corrects a name; the next run sends two of them together
        second.write({"name": f"{old_name} (corrected)"})
        result = (second | third)._xero_ensure_contacts(self.connection)
        result.update(first._xero_ensure_contacts(self.connection))
        contacts = self._contacts()
        self.assertEqual(len(contacts), before + 3, "no contact created twice")
        self.assertEqual(contacts[result[second.id]]["Name"], old_name)
        self.assertFalse(any(self._rows(first | second | third).mapped("pending_key")))
        # the correction itself reaches Xero as an update of that contact
        self._push()
        self.assertEqual(self._contacts()[result[second.id]]["Name"], second.name)
        self.assertEqual(len(self._contacts()), before + 3)

    def test_each_contact_keeps_its_key_until_xero_answers(self):
        partners = self._suppliers("Keyed A", "Keyed B")
        self._lost(partners)
        rows = self._rows(partners)
        keys = set(rows.mapped("pending_key"))
        self.assertEqual(len(keys), 2, "one key per contact")
        for row in rows:
            self.assertTrue(row.pending_key.endswith(f"/xero.contact.sync/{row.id}/1"))
        partners._xero_ensure_contacts(self.connection)
        self.assertEqual(set(rows.mapped("send_count")), {1}, "one send generation each")
        self.assertEqual(set(rows.mapped("state")), {"sent"})

    def test_lost_push_of_two_suppliers_is_not_sent_again(self):
        first, second, third = self._suppliers("Lost Push A", "Lost Push B", "Lost Push C")
        ids = (first | second | third)._xero_ensure_contacts(self.connection)
        before = len(self._contacts())
        first.write({"email": "ap@lost-push-a.example"})
        second.write({"email": "ap@lost-push-b.example"})
        # Xero applies the batch of two but its answer is lost
        self.sandbox.inject("lost_response", 20, path="/Contacts$", method="POST")
        try:
            self._push()
        finally:
            self.sandbox.clear_faults()
        contacts = self._contacts()
        stamps = {p.id: contacts[ids[p.id]]["UpdatedDateUTC"] for p in first | second}
        self.assertEqual(contacts[ids[first.id]]["EmailAddress"], "ap@lost-push-a.example")
        self.assertTrue(all(self._rows(first | second).mapped("pending_key")), "maybe sent")
        # the retry goes with another supplier's edit: another batch than the lost one
        self.sandbox.advance(5)
        third.write({"email": "ap@lost-push-c.example"})
        self._expire_leases(first | second | third)
        since = self.sandbox.calls()[-1]["seq"]
        self._push()
        writes = [c for c in self.sandbox.calls(since) if c["method"] in ("PUT", "POST")]
        self.assertEqual(len(writes), 1, "one call, for the third supplier only")
        contacts = self._contacts()
        self.assertEqual(len(contacts), before, "no new contact")
        for partner in first | second:
            self.assertEqual(
                contacts[ids[partner.id]]["UpdatedDateUTC"], stamps[partner.id], "updated once"
            )
        self.assertEqual(contacts[ids[third.id]]["EmailAddress"], "ap@lost-push-c.example")
        self.assertFalse(self._conflicts(first | second), "our own change is no conflict")
        rows = self._rows(first | second | third)
        self.assertEqual(set(rows.mapped("state")), {"sent"})
        self.assertFalse(any(rows.mapped("pending_key")))

    def test_an_edit_undone_is_sent_again(self):
        partner = self._suppliers("Undone Edit")
        xero_id = partner._xero_ensure_contacts(self.connection)[partner.id]
        for email in ("one@undone.example", "two@undone.example", "one@undone.example"):
            partner.write({"email": email})
            self._push()
            self.assertEqual(self._contacts()[xero_id]["EmailAddress"], email)
        # the create, then three pushes: each send under a key of its own
        self.assertEqual(self._rows(partner).send_count, 4)

    def test_claimed_push_is_not_taken_twice(self):
        partner = self._suppliers("Claimed Once")
        partner._xero_ensure_contacts(self.connection)
        partner.write({"phone": "+64 9 555 0101"})
        rows, _lookups = self.Sync._xero_outbox_claim(self.connection, None, 50)
        self.assertEqual(rows.partner_id, partner)
        key = rows.pending_key
        self.assertTrue(key.endswith(f"/{rows.id}/{rows.send_count}"), "row and generation")
        again, _lookups = self.Sync._xero_outbox_claim(self.connection, None, 50)
        self.assertFalse(again, "leased to the first worker")
        self._expire_leases(partner)
        again, lookups = self.Sync._xero_outbox_claim(self.connection, None, 50)
        self.assertEqual(again.pending_key, key, "the same key on a retry")
        self.assertEqual(lookups, again)

    def test_edit_during_a_push_is_sent_after_it(self):
        partner = self._suppliers("Edited Meanwhile")
        xero_id = partner._xero_ensure_contacts(self.connection)[partner.id]
        partner.write({"email": "first@meanwhile.example"})
        rows, _lookups = self.Sync._xero_outbox_claim(self.connection, None, 50)
        partner.write({"email": "second@meanwhile.example"})  # while the push is on its way
        rows._xero_outbox_settle()
        self.assertEqual(self._rows(partner).state, "queued")
        self._push()
        self.assertEqual(self._contacts()[xero_id]["EmailAddress"], "second@meanwhile.example")

    def test_upgrade_queues_the_pending_pushes(self):
        """Before 18.0.1.2.0 a pending push was a contact link without odoo_synced_at."""
        from .test_migration_oauth import load

        pending, synced = self._suppliers("Pending Before Upgrade", "Synced Before Upgrade")
        ids = (pending | synced)._xero_ensure_contacts(self.connection)
        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM xero_contact_sync WHERE partner_id IN %s", [(pending | synced)._ids]
        )
        self.env.cr.execute(
            "UPDATE xero_link SET odoo_synced_at = NULL WHERE res_model = 'res.partner'"
            " AND res_id = %s AND xero_type = 'contact'",
            [pending.id],
        )
        self.env.cr.execute(
            "UPDATE res_partner SET email = 'kept@pending.example' WHERE id = %s", [pending.id]
        )
        self.env.invalidate_all()
        load("post-contact-sync-queue.py", "18.0.1.2.0").migrate(self.env.cr, "18.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(self._rows(pending).state, "queued")
        self.assertFalse(self._rows(synced))
        self.assertTrue(
            self.env["xero.link"]._find(self.connection, pending, "contact").odoo_synced_at
        )
        self._push()
        self.assertEqual(self._contacts()[ids[pending.id]]["EmailAddress"], "kept@pending.example")

    def test_webhook_of_our_own_lost_push_is_no_conflict(self):
        partner = self._suppliers("Webhook Echo")
        xero_id = partner._xero_ensure_contacts(self.connection)[partner.id]
        partner.write({"email": "echo@webhook.example"})
        self.sandbox.inject("lost_response", 20, path="/Contacts$", method="POST")
        try:
            self._push()
        finally:
            self.sandbox.clear_faults()
        # Xero tells about the change it made for us, before the push is retried
        self.env["xero.contact.sync"]._apply_webhook(self.connection, [xero_id])
        self.assertFalse(self._conflicts(partner))
        self.assertEqual(partner.email, "echo@webhook.example")
        self._expire_leases(partner)
        since = self.sandbox.calls()[-1]["seq"]
        self._push()
        self.assertFalse([c for c in self.sandbox.calls(since) if c["method"] == "POST"])
        self.assertEqual(self._rows(partner).state, "sent")

    def test_rate_limit_keeps_the_push_queued(self):
        partner = self._suppliers("Rate Limited Push")
        xero_id = partner._xero_ensure_contacts(self.connection)[partner.id]
        partner.write({"email": "later@rate-limited.example"})
        self.sandbox.inject("429", 1, path="/Contacts$", method="POST", retry_after=3600)
        try:
            self._push()
        finally:
            self.sandbox.clear_faults()
            self.env["xero.rate.budget"]._reset(self.tenant)
        row = self._rows(partner)
        self.assertEqual(row.state, "queued")
        self.assertGreater(row.retry_at, row.write_date, "not before Xero allows it")
        self._expire_leases(partner)
        self._push()
        self.assertEqual(self._contacts()[xero_id]["EmailAddress"], "later@rate-limited.example")
        self.assertEqual(self._rows(partner).state, "sent")

    def test_lost_create_archived_in_xero_meanwhile_is_not_created_again(self):
        partner = self._suppliers("Archived Meanwhile")
        before = set(self._contacts())
        self._lost(partner)
        (created,) = set(self._contacts()) - before
        # someone archives it in Xero before the retry: Xero would take the name again
        self.sandbox.put_records(
            self.tenant, "Contacts", [{"ContactID": created, "ContactStatus": "ARCHIVED"}]
        )
        errors = {}
        result = partner._xero_ensure_contacts(self.connection, errors=errors)
        self.assertFalse(result)
        self.assertIn("archived in Xero", errors[partner.id])
        self.assertEqual(set(self._contacts()) - before, {created}, "not created twice")

    def test_contact_writes_are_logged_on_their_partners(self):
        first, second = self._suppliers("Logged One", "Logged Two")
        Log = self.env["xero.log"].sudo()
        since = Log.search([], limit=1).id or 0
        (first | second)._xero_ensure_contacts(self.connection)
        second.write({"email": "logged@two.example"})
        self._push()
        self.assertEqual(self._rows(second).state, "sent")
        writes = Log.search(
            [("id", ">", since), ("method", "in", ("PUT", "POST")), ("url", "like", "/Contacts")]
        )
        creates = writes.filtered(lambda r: r.method == "PUT")
        pushes = writes.filtered(lambda r: r.method == "POST")
        self.assertEqual(
            {(r.res_model, r.res_id) for r in creates},
            {("res.partner", first.id), ("res.partner", second.id)},
        )
        self.assertEqual({(r.res_model, r.res_id) for r in pushes}, {("res.partner", second.id)})
