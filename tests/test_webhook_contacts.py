from odoo.tests import tagged

from .import_case import ImportCase


@tagged("post_install", "-at_install")
class TestWebhookContacts(ImportCase):
    """A CONTACT event makes Odoo read that contact from Xero and apply its change."""

    def _event(self, contact_id, when):
        return self.env["xero.webhook.event"].create(
            {
                "connection_id": self.connection.id,
                "tenant_id": self.tenant,
                "event_category": "CONTACT",
                "event_type": "UPDATE",
                "resource_id": contact_id,
                "event_date": when,
            }
        )

    def test_contact_changed_in_xero_reaches_the_partner(self):
        self.import_names("contact", "Nimbus Packaging LLC")
        partner = self.env["res.partner"].search([("name", "=", "Nimbus Packaging LLC")])
        contact_id = self.linked(partner, "contact").xero_id
        self.sandbox.put_records(
            self.tenant,
            "Contacts",
            [{"ContactID": contact_id, "EmailAddress": "orders@nimbus.example"}],
        )
        event = self._event(contact_id, "2026-11-21T10:00:00")
        event._process()
        self.assertEqual(event.state, "done", event.message)
        self.assertEqual(partner.email, "orders@nimbus.example")
        # The same event again (a replay) changes nothing and calls Xero for nothing new.
        again = self._event(contact_id, "2026-11-21T10:00:01")
        again._process()
        self.assertEqual(again.state, "done")
        self.assertEqual(partner.email, "orders@nimbus.example")

    def test_contact_odoo_does_not_follow_costs_no_call(self):
        stranger = next(c for c in self.xero("Contacts") if c["Name"] == "Summit Packaging LLC")
        since = self.last_seq()
        event = self._event(stranger["ContactID"], "2026-11-21T11:00:00")
        event._process()
        self.assertEqual(event.state, "done")
        self.assertEqual(self.sandbox.calls(since), [])
