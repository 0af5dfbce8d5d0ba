"""Company A's users see nothing of company B's export queue (documents waiting for
Xero or failed), its sync states or its webhook events."""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import XeroCase


@tagged("post_install", "-at_install")
class TestSecurityQueue(XeroCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Company B (queue)"})
        cls.accountant = new_test_user(
            cls.env,
            "acc_a",
            groups="account.group_account_manager,xero_connector.group_xero_manager",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.buyer = new_test_user(
            cls.env,
            "buyer_a",
            groups="purchase.group_purchase_manager,xero_connector.group_xero_user",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.env["account.journal"].sudo().create(
            {"name": "B Bills", "type": "purchase", "code": "BBILL", "company_id": cls.company_b.id}
        )
        partner = cls.env["res.partner"].create({"name": "Shared Supplier"})
        Move = cls.env["account.move"].sudo()
        cls.move_a = Move.create({"move_type": "in_invoice", "partner_id": partner.id})
        cls.move_b = Move.with_company(cls.company_b).create(
            {"move_type": "in_invoice", "partner_id": partner.id, "company_id": cls.company_b.id}
        )
        PO = cls.env["purchase.order"].sudo()
        cls.po_a = PO.create({"partner_id": partner.id})
        cls.po_b = PO.with_company(cls.company_b).create(
            {"partner_id": partner.id, "company_id": cls.company_b.id}
        )
        (cls.move_a | cls.move_b)._xero_write({"xero_state": "queued"})
        (cls.po_a | cls.po_b)._xero_write({"xero_state": "error", "xero_error": "B's secret"})
        cls.connection_b = cls.company_b.xero_connection_id
        cls.env["xero.sync.state"].sudo().create(
            {"connection_id": cls.connection_b.id, "object_type": "contact"}
        )
        cls.env["xero.webhook.event"].sudo().create(
            {
                "connection_id": cls.connection_b.id,
                "tenant_id": "b-tenant",
                "event_category": "INVOICE",
                "resource_id": "b-invoice",
            }
        )

    def test_queue_of_company_b_is_invisible(self):
        moves = self.env["account.move"].with_user(self.accountant)
        self.assertEqual(moves.search([("xero_state", "=", "queued")]), self.move_a)
        groups = moves.read_group([("xero_state", "!=", False)], ["xero_state"], ["xero_state"])
        self.assertEqual(
            sum(g["xero_state_count"] for g in groups if g["xero_state"] == "queued"), 1
        )
        orders = self.env["purchase.order"].with_user(self.buyer)
        self.assertEqual(orders.search([("xero_state", "=", "error")]), self.po_a)
        with self.assertRaises(AccessError):
            self.move_b.with_user(self.accountant).read(["xero_state", "xero_error"])
        with self.assertRaises(AccessError):
            self.po_b.with_user(self.buyer).read(["xero_error"])

    def test_sync_states_and_events_of_company_b_are_invisible(self):
        for model in ("xero.sync.state", "xero.webhook.event", "xero.connection"):
            # Company B has some: the check below is about them, not about nothing.
            theirs = self.env[model].sudo().search([("company_id", "=", self.company_b.id)])
            self.assertTrue(theirs, model)
            records = self.env[model].with_user(self.accountant).search([])
            self.assertNotIn(self.company_b, records.mapped("company_id"), model)
        self.assertTrue(
            self.env["xero.sync.state"].sudo().search([("company_id", "=", self.company_b.id)])
        )
