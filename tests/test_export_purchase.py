from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .export_common import XeroExportCase


@tagged("post_install", "-at_install")
class TestExportPurchaseOrders(XeroExportCase):
    def test_approved_po_is_sent_as_xero_purchase_order(self):
        order = self.make_po(partner_ref="VQ-42")
        self.assertEqual(order.state, "purchase")
        self.assertEqual(order.xero_state, "queued")
        self.run_export("purchase.order")
        self.assertEqual(order.xero_state, "sent", order.xero_error)
        doc = self.xero_doc(order)
        self.assertEqual(doc["PurchaseOrderNumber"], order.name)
        self.assertEqual(order.xero_number, order.name)
        self.assertEqual(doc["Reference"], "VQ-42")
        self.assertEqual(doc["Status"], "SUBMITTED")
        self.assertEqual(doc["Contact"]["Name"], "Nimbus Packaging LLC")
        self.assertTrue(doc.get("DeliveryDate"))
        line = doc["LineItems"][0]
        self.assertEqual(
            (line["ItemCode"], line["AccountCode"], line["TaxType"], line["Quantity"]),
            ("PAPER-A4", "300", "INPUT", 10.0),
        )
        self.assertEqual(doc["Total"], order.amount_total)
        self.assertEqual(order.order_line.xero_line_id, line["LineItemID"])

    def test_po_tracking_goes_with_names(self):
        account, north = self.linked_tracking_option()
        order = self.make_po(
            lines=[
                {"price_unit": 24.5, "product_qty": 2, "analytic_distribution": {account.id: 100}}
            ]
        )
        self.run_export("purchase.order")
        self.assertEqual(order.xero_state, "sent", order.xero_error)
        tracking = self.xero_doc(order)["LineItems"][0]["Tracking"]
        self.assertEqual(
            [(t["Name"], t["Option"], t["TrackingOptionID"]) for t in tracking],
            [("Region", "North", north["TrackingOptionID"])],
        )

    def test_po_export_off_does_not_queue(self):
        self.company.xero_export_purchase_order = False
        order = self.make_po()
        self.assertEqual(order.xero_state, "not_sent")

    def test_double_validation_queues_on_final_approval(self):
        self.company.write({"po_double_validation": "two_step", "po_double_validation_amount": 1})
        buyer = self.env["res.users"].create(
            {
                "name": "Buyer",
                "login": "xc_buyer",
                "groups_id": [Command.set([self.env.ref("purchase.group_purchase_user").id])],
            }
        )
        order = self.make_po(confirm=False)
        order.with_user(buyer).button_confirm()
        self.assertEqual(order.state, "to approve")
        self.assertEqual(order.xero_state, "not_sent")
        order.button_approve()
        self.assertEqual(order.state, "purchase")
        self.assertEqual(order.xero_state, "queued")
        self.run_export("purchase.order")
        self.assertEqual(order.xero_state, "sent", order.xero_error)

    def test_po_without_lines_is_refused(self):
        order = self.make_po(lines=[], confirm=False)
        order.order_line.unlink()
        order.button_confirm()
        self.assertEqual(order.xero_state, "error")
        self.assertIn("no lines", order.xero_error)

    def test_manual_mode_po(self):
        self.company.xero_purchase_order_mode = "manual"
        order = self.make_po()
        self.assertEqual(order.xero_state, "not_sent")
        order.action_xero_send()
        self.run_export("purchase.order")
        self.assertEqual(order.xero_state, "sent", order.xero_error)

    def test_changed_po_is_updated_in_place_then_refused_after_approval_in_xero(self):
        order = self.make_po()
        self.run_export("purchase.order")
        first = self.xero_doc(order)
        line_id = first["LineItems"][0]["LineItemID"]
        order.order_line.price_unit = 30.0
        self.assertEqual(order.xero_state, "changed")
        order.action_xero_update()
        self.assertEqual(order.xero_state, "queued")
        self.run_export("purchase.order")
        self.assertEqual(order.xero_state, "sent", order.xero_error)
        second = self.xero_doc(order)
        self.assertEqual(second["PurchaseOrderID"], first["PurchaseOrderID"])
        self.assertEqual(
            second["LineItems"][0]["LineItemID"], line_id, "line updated, not replaced"
        )
        self.assertEqual(second["LineItems"][0]["UnitAmount"], 30.0)
        self.assertEqual(len(self.xero_docs("PurchaseOrders", PurchaseOrderNumber=order.name)), 1)
        # Someone approves it in Xero: Odoo's next change is not sent.
        self.sandbox.put_records(
            self.tenant,
            "PurchaseOrders",
            [{"PurchaseOrderID": order.xero_id, "Status": "AUTHORISED"}],
        )
        order.order_line.price_unit = 35.0
        order.action_xero_update()
        self.run_export("purchase.order")
        self.assertEqual(order.xero_state, "error")
        self.assertIn("Approved in Xero: changes are not sent; revise it in Xero", order.xero_error)
        self.assertEqual(order.xero_status, "AUTHORISED")
        self.assertEqual(self.xero_doc(order)["LineItems"][0]["UnitAmount"], 30.0)

    def test_cancelled_po_is_deleted_in_xero(self):
        order = self.make_po()
        self.run_export("purchase.order")
        order.button_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.xero_state, "cancelled")
        self.assertEqual(self.xero_doc(order)["Status"], "DELETED")

    def test_cancel_blocked_when_billed_in_xero(self):
        order = self.make_po()
        self.run_export("purchase.order")
        self.sandbox.put_records(
            self.tenant, "PurchaseOrders", [{"PurchaseOrderID": order.xero_id, "Status": "BILLED"}]
        )
        with self.assertRaises(UserError) as refused:  # rolls back like the request
            order.button_cancel()
        self.assertIn("Remove them in Xero first", str(refused.exception))
        order.invalidate_recordset()
        self.assertEqual(order.state, "purchase")

    def test_settings_choose_mode_and_default_accounts(self):
        settings = self.env["res.config.settings"].create(
            {
                "xero_purchase_order_mode": "manual",
                "xero_purchase_account_code": "300",
                "xero_sales_account_code": "200",
            }
        )
        settings.execute()
        self.assertEqual(self.company.xero_purchase_order_mode, "manual")
        self.assertEqual(
            (self.company.xero_purchase_account_code, self.company.xero_sales_account_code),
            ("300", "200"),
        )

    def test_ordinary_users_approve_and_post_without_xero_rights_problems(self):
        buyer = self.env["res.users"].create(
            {
                "name": "Buyer 2",
                "login": "xc_buyer2",
                "groups_id": [Command.set([self.env.ref("purchase.group_purchase_manager").id])],
            }
        )
        clerk = self.env["res.users"].create(
            {
                "name": "Clerk",
                "login": "xc_clerk",
                "groups_id": [Command.set([self.env.ref("account.group_account_invoice").id])],
            }
        )
        order = self.make_po(confirm=False)
        order.with_user(buyer).button_confirm()
        self.assertEqual(order.xero_state, "queued")
        bill = self.make_move(post=False)
        bill.with_user(clerk).action_post()
        self.assertEqual(bill.xero_state, "queued")
        form = self.env["account.move"].with_user(clerk).get_views([(False, "form")])
        self.assertIn("xero_log_ids", form["views"]["form"]["arch"])
        self.run_export()
        bill.with_user(clerk).read(["xero_state", "xero_log_ids", "xero_url"])

    def test_views_show_xero_state_banner_buttons_filters_and_log_tab(self):
        lists = {
            "purchase.order": self.env.ref("purchase.purchase_order_view_tree").id,
            "account.move": self.env.ref("account.view_invoice_tree").id,
        }
        for model in ("purchase.order", "account.move"):
            views = self.env[model].get_views(
                [(False, "form"), (lists[model], "list"), (False, "search")]
            )
            form = views["views"]["form"]["arch"]
            for needle in (
                'name="action_xero_send"',
                'name="action_xero_update"',
                'name="action_xero_open"',
                'name="xero_error"',
                'name="xero_warning"',
                'name="xero_log_ids"',
                'name="xero_status_label"',
                'name="xero_badge"',
                'name="xero_number"',
            ):
                self.assertIn(needle, form, f"{model} form: {needle}")
            # one button per action: no Resend beside Send to Xero, one Open in Xero
            self.assertNotIn('name="action_xero_resend"', form, model)
            self.assertEqual(form.count('name="action_xero_open"'), 1, model)
            self.assertNotIn('name="xero_url"', form, model)
            self.assertIn('name="xero_state"', views["views"]["list"]["arch"])
            search = views["views"]["search"]["arch"]
            for needle in (
                'name="xero_not_sent"',
                'name="xero_error"',
                'name="groupby_xero_state"',
            ):
                self.assertIn(needle, search, f"{model} search: {needle}")
        bindings = self.env["ir.actions.actions"].get_bindings("purchase.order")["action"]
        self.assertIn("Send to Xero", [b["name"] for b in bindings])

    def test_po_dated_in_the_companys_time_zone(self):
        self.company.partner_id.tz = "Pacific/Auckland"
        # 08:30 on 2 March in Auckland (UTC+13) is 19:30 on 1 March UTC
        order = self.make_po(date_order="2026-03-01 19:30:00", date_planned="2026-03-09 20:00:00")
        self.run_export("purchase.order")
        self.assertEqual(order.xero_state, "sent", order.xero_error)
        doc = self.xero_doc(order)
        self.assertEqual(doc["DateString"][:10], "2026-03-02")
        self.assertEqual(doc["DeliveryDateString"][:10], "2026-03-10")

    def test_foreign_currency_po_leaves_the_rate_to_xero(self):
        # A purchase order posts nothing in Xero: its rate is Xero's own (day rate),
        # the bill carries Odoo's rate. Nothing is sent or read back for it.
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
        order = self.make_po(currency_id=eur.id, lines=[{"price_unit": 10.0, "product_qty": 2}])
        self.run_export("purchase.order")
        self.assertEqual(order.xero_state, "sent", order.xero_error)
        doc = self.xero_doc(order)
        self.assertEqual(doc["CurrencyCode"], "EUR")
        self.assertEqual(doc["SubTotal"], 20.0)
        self.assertNotEqual(doc["CurrencyRate"], 0.8, "Xero's rate, not one sent by Odoo")
