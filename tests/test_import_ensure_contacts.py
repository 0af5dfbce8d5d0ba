from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DEMO_ORG, XeroCase, org_id

NIMBUS = "59abb933-70c0-5d48-8ac7-f8f05bdfd7e9"  # "Nimbus Packaging LLC" in the demo seed
IRIS = "62732a09-f02c-56bc-a7f4-60c1d10d2b31"  # "Iris Freight Ltd", TaxNumber US184615385


@tagged("post_install", "-at_install")
class TestEnsureContacts(XeroCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connect()
        cls.tenant = org_id(cls.sandbox, DEMO_ORG)
        cls.Partner = cls.env["res.partner"]

    def _contacts(self):
        return self.sandbox.records(self.tenant, "Contacts")

    def _last_seq(self):
        calls = self.sandbox.calls()
        return calls[-1]["seq"] if calls else 0

    def test_existing_link_is_used_without_calling_xero(self):
        partner = self.Partner.create({"name": "Linked Already", "is_company": True})
        self.env["xero.link"]._set(self.connection, partner, "contact", NIMBUS)
        since = self._last_seq()
        self.assertEqual(partner._xero_ensure_contacts(self.connection), {partner.id: NIMBUS})
        self.assertFalse(self.sandbox.calls(since))

    def test_contact_person_resolves_to_its_company(self):
        company = self.Partner.create({"name": "Nimbus Packaging LLC", "is_company": True})
        person = self.Partner.create({"name": "Ann Buyer", "parent_id": company.id})
        self.assertEqual(person._xero_ensure_contacts(self.connection), {company.id: NIMBUS})

    def test_matches_by_exact_name_and_by_tax_number(self):
        by_name = self.Partner.create({"name": "nimbus packaging llc", "is_company": True})
        by_vat = self.Partner.create(
            {"name": "Iris Freight (Odoo spelling)", "vat": "US184615385", "is_company": True}
        )
        before = len(self._contacts())
        result = (by_name | by_vat)._xero_ensure_contacts(self.connection)
        self.assertEqual(result, {by_name.id: NIMBUS, by_vat.id: IRIS})
        self.assertEqual(len(self._contacts()), before, "nothing created")
        link = self.env["xero.link"]._find(self.connection, by_vat, "contact")
        self.assertEqual(link.xero_name, "Iris Freight Ltd")

    def test_reference_held_by_another_contact_is_not_sent_as_its_number(self):
        # An archived Xero contact holds the number: Xero's contact numbers are unique
        # across all contacts, archived ones included.
        self.sandbox.put_records(
            self.tenant,
            "Contacts",
            [
                {
                    "ContactID": "7f1d3c1e-0000-4000-8000-00000000c0de",
                    "Name": "Gone Trading Ltd",
                    "ContactNumber": "SUP-0042",
                    "ContactStatus": "ARCHIVED",
                }
            ],
        )
        taken = self.Partner.create({"name": "Fresh Timber Ltd", "is_company": True})
        free = self.Partner.create({"name": "Fresh Steel Ltd", "is_company": True})
        result = (taken | free)._xero_ensure_contacts(self.connection)
        taken.with_context(xero_sync=False).write({"ref": "SUP-0042", "phone": "+64 9 555"})
        free.with_context(xero_sync=False).write({"ref": "SUP-0043"})
        self.env.flush_all()
        with self.registry.cursor() as cr:  # the queue cron, as a worker runs it
            api.Environment(cr, SUPERUSER_ID, {})["xero.sync.state"]._cron_xero_queue()
        self.env.invalidate_all()
        contacts = {c["ContactID"]: c for c in self._contacts()}
        self.assertNotIn("ContactNumber", contacts[result[taken.id]])
        self.assertEqual(contacts[result[taken.id]]["Phones"][0]["PhoneNumber"], "+64 9 555")
        self.assertEqual(contacts[result[free.id]]["ContactNumber"], "SUP-0043")
        self.assertEqual(
            contacts["7f1d3c1e-0000-4000-8000-00000000c0de"]["Name"], "Gone Trading Ltd"
        )

    def test_creates_missing_contacts_in_batches_of_fifty(self):
        partners = self.Partner.create(
            [
                {"name": f"New Supplier {i:03d}", "is_company": True, "email": f"s{i}@x.example"}
                for i in range(60)
            ]
        )
        since = self._last_seq()
        result = partners._xero_ensure_contacts(self.connection)
        self.assertEqual(set(result), set(partners.ids))
        writes = [c for c in self.sandbox.calls(since) if c["method"] in ("PUT", "POST")]
        self.assertEqual(len(writes), 2, "60 contacts in two calls")
        self.assertTrue(all(c["idempotency_key"] for c in writes))
        by_id = {c["ContactID"]: c for c in self._contacts()}
        created = by_id[result[partners[0].id]]
        self.assertEqual(created["Name"], "New Supplier 000")
        self.assertEqual(created["EmailAddress"], "s0@x.example")
        # a second call only reads the links
        since = self._last_seq()
        self.assertEqual(partners._xero_ensure_contacts(self.connection), result)
        self.assertFalse(self.sandbox.calls(since))

    def test_lost_answer_is_retried_without_duplicates(self):
        partners = self.Partner.create(
            [{"name": f"Retry Supplier {i}", "is_company": True} for i in range(3)]
        )
        before = len(self._contacts())
        self.sandbox.inject("lost_response", 1, path="/Contacts$", method="PUT")
        try:
            result = partners._xero_ensure_contacts(self.connection)
        finally:
            self.sandbox.clear_faults()
        self.assertEqual(len(result), 3)
        self.assertEqual(len(self._contacts()), before + 3)

    def test_rolled_back_links_are_found_again_by_name(self):
        partner = self.Partner.create({"name": "Rolled Back Supplier", "is_company": True})
        with self.env.cr.savepoint(flush=True) as savepoint:
            first = partner._xero_ensure_contacts(self.connection)
            savepoint.rollback()
        self.assertFalse(self.env["xero.link"]._find(self.connection, partner, "contact"))
        before = len(self._contacts())
        self.assertEqual(partner._xero_ensure_contacts(self.connection), first)
        self.assertEqual(len(self._contacts()), before)

    def test_archived_in_xero_is_refused_with_the_partner_name(self):
        partner = self.Partner.create({"name": "Defunct Supplies Ltd", "is_company": True})
        with self.assertRaisesRegex(UserError, "Defunct Supplies Ltd is archived in Xero"):
            partner._xero_ensure_contacts(self.connection)

    def test_archived_link_is_refused(self):
        partner = self.Partner.create({"name": "Archived Link", "is_company": True})
        self.env["xero.link"]._set(
            self.connection, partner, "contact", NIMBUS, xero_status="ARCHIVED"
        )
        with self.assertRaisesRegex(UserError, "restore it in Xero or link another contact"):
            partner._xero_ensure_contacts(self.connection)

    def test_element_errors_are_mapped_to_their_partner(self):
        good = self.Partner.create({"name": "Good New Supplier", "is_company": True})
        nameless = self.Partner.create({"type": "other", "email": "nameless@x.example"})
        errors = {}
        result = (good | nameless)._xero_ensure_contacts(self.connection, errors=errors)
        self.assertIn(good.id, result)
        self.assertNotIn(nameless.id, result)
        self.assertIn("The contact name must be specified", errors[nameless.id])
        with self.assertRaisesRegex(UserError, "contact name must be specified"):
            nameless._xero_ensure_contacts(self.connection)

    def test_currency_the_organisation_lacks_is_left_out(self):
        partner = self.Partner.create(
            {
                "name": "Yen Supplier",
                "is_company": True,
                "property_purchase_currency_id": self.env.ref("base.JPY").id,
            }
        )
        result = partner._xero_ensure_contacts(self.connection)
        contact = next(c for c in self._contacts() if c["ContactID"] == result[partner.id])
        self.assertNotIn("DefaultCurrency", contact)

    def test_duplicate_odoo_names_do_not_share_a_contact(self):
        first, second = self.Partner.create(
            [{"name": "Nimbus Packaging LLC", "is_company": True}] * 2
        )
        errors = {}
        result = (first | second)._xero_ensure_contacts(self.connection, errors=errors)
        self.assertEqual(result, {first.id: NIMBUS})
        self.assertIn("already linked", errors[second.id])

    def test_name_taken_in_xero_links_the_existing_contact(self):
        # the sandbox's where clause misses non-ASCII names, so the creation is refused
        # as a duplicate name: the contact is then found by search term and linked
        contact_id = "0000abcd-0000-4000-8000-000000000001"
        self.sandbox.put_records(
            self.tenant,
            "Contacts",
            [{"ContactID": contact_id, "Name": "Café Fournitures SARL", "ContactStatus": "ACTIVE"}],
        )
        partner = self.Partner.create({"name": "Café Fournitures SARL", "is_company": True})
        before = len(self._contacts())
        self.assertEqual(partner._xero_ensure_contacts(self.connection), {partner.id: contact_id})
        self.assertEqual(len(self._contacts()), before)
