from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import XeroCase


@tagged("post_install", "-at_install")
class TestLink(XeroCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.connection_b = cls.company_b.xero_connection_id
        cls.partner = cls.env["res.partner"].create({"name": "Shared Supplier", "is_company": True})

    def test_shared_partner_links_to_one_contact_per_organisation(self):
        links = self.env["xero.link"]
        links._set(self.connection, self.partner, "contact", "guid-in-org-a", xero_name="A")
        links._set(self.connection_b, self.partner, "contact", "guid-in-org-b", xero_name="B")
        self.assertEqual(
            links._xero_ids(self.connection, self.partner, "contact"),
            {self.partner.id: "guid-in-org-a"},
        )
        self.assertEqual(
            links._xero_ids(self.connection_b, self.partner, "contact"),
            {self.partner.id: "guid-in-org-b"},
        )
        found = links._records_by_xero_id(
            self.connection_b, "res.partner", "contact", ["guid-in-org-b"]
        )
        self.assertEqual(found, {"guid-in-org-b": self.partner})

    def test_set_updates_the_existing_link(self):
        links = self.env["xero.link"]
        first = links._set(self.connection, self.partner, "contact", "guid-1")
        second = links._set(self.connection, self.partner, "contact", "guid-2", xero_name="New")
        self.assertEqual(first, second)
        self.assertEqual(second.xero_id, "guid-2")

    def test_one_xero_record_links_to_one_odoo_record(self):
        other = self.env["res.partner"].create({"name": "Other Supplier"})
        links = self.env["xero.link"]
        links._set(self.connection, self.partner, "contact", "guid-same")
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            links._set(self.connection, other, "contact", "guid-same")
            self.env.flush_all()

    def test_record_of_another_company_refused(self):
        product = self.env["product.product"].create(
            {"name": "B's product", "company_id": self.company_b.id}
        )
        with self.assertRaises(ValidationError):
            self.env["xero.link"]._set(self.connection, product, "item", "item-guid")

    def test_company_a_user_sees_no_link_of_company_b(self):
        self.env["xero.link"]._set(self.connection_b, self.partner, "contact", "guid-b")
        user_a = self.env["res.users"].create(
            {
                "name": "Xero Admin A",
                "login": "xero.admin.a",
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
                "groups_id": [(6, 0, [self.env.ref("xero_connector.group_xero_manager").id])],
            }
        )
        self.assertFalse(
            self.env["xero.link"].with_user(user_a).search([("xero_id", "=", "guid-b")])
        )
