from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from .common import CLIENT_ID, CLIENT_SECRET, SECOND_ORG, org_id
from .import_case import ImportCase


@tagged("post_install", "-at_install")
class TestImportMultiCompany(ImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Second Company"})
        cls.connection_b = cls.company_b.xero_connection_id
        cls.connection_b.write(
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "endpoint_url": cls.sandbox.url,
            }
        )
        cls.connect(cls.connection_b, tenants=(SECOND_ORG,))
        cls.tenant_b = org_id(cls.sandbox, SECOND_ORG)

    def test_one_partner_two_contacts_in_two_organisations(self):
        wizard = self.wizard("contact", search="Nimbus Packaging LLC")
        wizard.line_ids.selected = True
        wizard.action_import()
        partner = self.env["res.partner"].browse(wizard.line_ids.match_id)
        self.assertFalse(partner.company_id, "a partner shared by the companies")
        in_b = partner._xero_ensure_contacts(self.connection_b)
        in_a = partner._xero_ensure_contacts(self.connection)
        self.assertNotEqual(in_a[partner.id], in_b[partner.id])
        self.assertIn(
            in_b[partner.id],
            [c["ContactID"] for c in self.sandbox.records(self.tenant_b, "Contacts")],
        )
        self.assertEqual(
            len(
                self.links.search([("res_model", "=", "res.partner"), ("res_id", "=", partner.id)])
            ),
            2,
        )
        # each organisation's wizard shows its own integration state
        wizard_b = (
            self.env["xero.import.wizard"]
            .with_company(self.company_b)
            .create(
                {
                    "connection_id": self.connection_b.id,
                    "object_type": "contact",
                    "search": "Nimbus",
                }
            )
        )
        wizard_b.action_search()
        self.assertTrue(wizard_b.line_ids.integrated)
        self.assertEqual(wizard_b.line_ids.match_id, partner.id)
        # the edit goes to both organisations
        partner.with_context(xero_sync=False).write({"phone": "+49 30 1234"})
        self.env.flush_all()
        with self.registry.cursor() as cr:  # the queue cron, as a worker runs it
            api.Environment(cr, SUPERUSER_ID, {})["xero.sync.state"]._cron_xero_queue()
        self.env.invalidate_all()
        for tenant, xero_id in ((self.tenant, in_a[partner.id]), (self.tenant_b, in_b[partner.id])):
            contact = next(
                c for c in self.sandbox.records(tenant, "Contacts") if c["ContactID"] == xero_id
            )
            self.assertEqual(contact["Phones"][0]["PhoneNumber"], "+49 30 1234")
