from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import fields
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..models.xero_overview import DOC_TYPES
from .common import XeroCase, XeroHttpCase


@tagged("post_install", "-at_install")
class TestOverview(XeroCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create({"name": "Overview Supplier"})
        cls.bills = cls.env["account.move"]
        for _i in range(3):
            cls.bills |= cls.env["account.move"].create(
                {
                    "move_type": "in_invoice",
                    "partner_id": cls.partner.id,
                    "invoice_date": fields.Date.today(),
                    "invoice_line_ids": [
                        (0, 0, {"name": "Paper", "quantity": 1, "price_unit": 10})
                    ],
                }
            )
        cls.bills.action_post()

    def _row(self, doc_type):
        self.env.flush_all()
        return self.env["xero.overview"].search(
            [("company_id", "=", self.company.id), ("doc_type", "=", doc_type)]
        )

    def test_counts_per_state_and_click_through(self):
        self.bills[0].sudo().xero_state = "error"
        self.bills[1].sudo().xero_state = "sent"
        self.bills[2].sudo().xero_state = "not_sent"
        row = self._row("vendor_bill")
        self.assertEqual(
            (row.not_sent_count, row.queued_count, row.sent_count, row.error_count), (1, 0, 1, 1)
        )
        action = row.with_context(xero_state="error").action_open_documents()
        # the state is a filter the user sees (below), not hidden in the domain
        self.assertNotIn("xero_state", str(action["domain"]))
        self.assertEqual(action["context"].get("search_default_xero_error"), 1)
        domain = [*action["domain"], ("state", "=", "posted"), ("xero_state", "=", "error")]
        self.assertEqual(self.env["account.move"].search(domain), self.bills[0])

    def test_one_card_per_document_type(self):
        rows = self.env["xero.overview"].search([("company_id", "=", self.company.id)])
        self.assertEqual(
            rows.mapped("doc_type"),
            ["purchase_order", "vendor_bill", "customer_invoice", "credit_note"],
        )

    def test_draft_documents_are_not_counted(self):
        draft = self.bills[0].copy()
        self.assertEqual(draft.state, "draft")
        row = self._row("vendor_bill")
        self.assertEqual(
            row.not_sent_count + row.queued_count + row.sent_count + row.error_count, 3
        )

    def test_every_counter_opens_its_documents_through_a_visible_filter(self):
        """Each number's list: the context activates a named filter of the search view
        the action uses (shown, removable), and it lists exactly the counted documents."""
        self.bills[0]._xero_write({"xero_state": "error"})
        self.bills[1]._xero_write({"xero_state": "changed"})
        self.bills[2]._xero_write({"xero_state": "queued"})
        counted = {
            "not_sent": self.env["account.move"],
            "queued": self.bills[2],
            "sent": self.bills[1],
            "error": self.bills[0],
        }
        for doc_type in ("purchase_order", "vendor_bill", "customer_invoice", "credit_note"):
            row = self._row(doc_type)
            for state in ("not_sent", "queued", "sent", "error"):
                action = row.with_context(xero_state=state).action_open_documents()
                Model = self.env[action["res_model"]]
                arch = Model.get_views([(False, "list"), action["search_view_id"]], {})["views"][
                    "search"
                ]["arch"]
                filters = {
                    node.get("name"): node.get("domain")
                    for node in etree.fromstring(arch).iter("filter")
                }
                active = [
                    key.removeprefix("search_default_")
                    for key, value in action["context"].items()
                    if key.startswith("search_default_") and value
                ]
                self.assertTrue(active, (doc_type, state))
                domain = list(action["domain"])
                for name in active:
                    self.assertIn(name, filters, f"{doc_type}/{state}: no filter {name}")
                    domain += safe_eval(filters[name], {"uid": self.env.uid})
                found = Model.search(domain)
                if doc_type == "vendor_bill":
                    self.assertEqual(found, counted[state], (doc_type, state))
                else:
                    self.assertFalse(found, (doc_type, state))

    def test_reconciliation_differences_open_under_visible_filters(self):
        run = self.env["xero.reconciliation"].create({"company_id": self.company.id})
        run.sudo().write({"state": "done", "finished_at": fields.Datetime.now()})
        Line = self.env["xero.reconciliation.line"].sudo()
        lines = Line.create(
            [
                {"reconciliation_id": run.id, "category": category, "doc_type": doc_type}
                for category, doc_type in (
                    ("odoo_only", "vendor_bill"),
                    ("differ", "vendor_refund"),
                    ("match", "vendor_bill"),
                    ("xero_only", "customer_invoice"),
                )
            ]
        )
        row = self._row("vendor_bill")
        self.assertEqual(row.recon_issue_count, 2)
        action = row.action_open_reconciliation()
        self.assertNotIn("doc_type", str(action["domain"]))
        arch = self.env["xero.reconciliation.line"].get_views([(False, "search")])["views"]
        filters = {
            node.get("name"): node.get("domain")
            for node in etree.fromstring(arch["search"]["arch"]).iter("filter")
        }
        domain = list(action["domain"])
        for key, value in action["context"].items():
            if key.startswith("search_default_") and value:
                domain += safe_eval(filters[key.removeprefix("search_default_")])
        self.assertIn("search_default_filter_doc_vendor_bill", action["context"])
        self.assertEqual(Line.search(domain), lines[:2])

    def test_chart_days_are_the_users_days(self):
        """A bill sent at 20:00 UTC was sent the next day in Auckland: the chart groups
        the time of the send, in the user's time zone."""
        log = (
            self.env["xero.log"]
            .sudo()
            .create(
                {
                    "company_id": self.company.id,
                    "operation": "create_invoices",
                    "outcome": "success",
                    "res_model": "account.move",
                    "res_id": self.bills[0].id,
                }
            )
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE xero_log SET create_date = '2026-03-02 20:00:00' WHERE id = %s", [log.id]
        )
        Day = self.env["xero.overview.day"]
        domain = [("res_id", "=", self.bills[0].id)]
        for tz, day in (("UTC", "02 Mar 2026"), ("Pacific/Auckland", "03 Mar 2026")):
            groups = Day.with_context(tz=tz).read_group(domain, ["sent_at"], ["sent_at:day"])
            self.assertEqual([g["sent_at:day"] for g in groups], [day], tz)

    def test_onboarding_checklist_follows_the_data(self):
        Overview = self.env["xero.overview"]
        self.company.write({f"xero_export_{key}": False for key, _label in DOC_TYPES})

        def done():
            return {s["key"]: s["done"] for s in Overview._onboarding_steps()}

        self.assertEqual(
            done(), {"connect": False, "mapping": False, "documents": False, "send": False}
        )
        panel = Overview.get_overview_panel()
        self.assertFalse(panel["onboarding_done"])
        self.connect()
        self.assertTrue(done()["connect"])
        Link = self.env["xero.link"]
        tax = self.env["account.tax"].create({"name": "Overview tax", "amount": 10})
        Link._set(self.connection, tax, "tax", "INPUT", xero_code="INPUT")
        self.assertFalse(done()["mapping"])  # accounts still to import
        steps = {s["key"]: s for s in Overview._onboarding_steps()}
        self.assertEqual([b["done"] for b in steps["mapping"]["buttons"]], [True, False])
        account = self.env["account.account"].search(
            [("company_ids", "in", self.company.id)], limit=1
        )
        Link._set(self.connection, account, "account", "acc-1", xero_code="200")
        self.assertTrue(done()["mapping"])
        self.company.xero_export_vendor_bill = True
        self.assertTrue(done()["documents"])
        self.assertFalse(done()["send"])
        self.bills[0]._xero_write({"xero_state": "sent", "xero_id": "inv-1"})
        self.assertEqual(set(done().values()), {True})
        self.assertTrue(Overview.get_overview_panel()["onboarding_done"])

    def test_checklist_buttons_open_what_does_the_step(self):
        Overview = self.env["xero.overview"]
        for step in Overview._onboarding_steps():
            for button in step["buttons"]:
                action = getattr(Overview, button["name"])()
                self.assertEqual(action["type"], "ir.actions.act_window", button)
        taxes = Overview.action_import_taxes()
        self.assertEqual(taxes["res_model"], "xero.import.wizard")
        wizard = self.env["xero.import.wizard"].with_context(**taxes["context"]).new({})
        self.assertEqual(wizard.object_type, "tax")
        self.assertEqual(
            Overview.action_import_accounts()["context"]["default_object_type"], "account"
        )
        settings = Overview.action_open_settings()
        self.assertEqual(settings["res_model"], "res.config.settings")
        self.assertEqual(settings["context"]["xero_settings_anchor"], "xero_connection_setting")
        documents = Overview.action_choose_documents()
        self.assertEqual(documents["context"]["xero_settings_anchor"], "xero_documents_setting")
        self.assertEqual(documents["context"]["module"], "account")
        first = Overview.action_open_first_documents()
        self.assertEqual(first["res_model"], "account.move")
        self.assertEqual(first["context"].get("search_default_xero_state_not_sent"), 1)

    def test_chart_counts_each_document_once_a_day_by_its_last_send(self):
        Log = self.env["xero.log"].sudo()

        def log(bill, operation, outcome, days_ago=0):
            row = Log.create(
                {
                    "company_id": self.company.id,
                    "connection_id": self.connection.id,
                    "operation": operation,
                    "outcome": outcome,
                    "res_model": "account.move",
                    "res_id": bill.id,
                    "document_ref": bill.display_name,
                }
            )
            if days_ago:
                self.env.flush_all()
                self.env.cr.execute(
                    "UPDATE xero_log SET create_date = now() at time zone 'utc' - %s "
                    "* interval '1 day' WHERE id = %s",
                    [days_ago, row.id],
                )
            return row

        sent, refused_after_send, refused_twice = self.bills
        log(sent, "get_contacts", "success")  # not a send
        log(sent, "create_invoices", "error")  # failed, then sent
        log(sent, "create_invoices", "success")
        log(refused_after_send, "create_invoices", "success")
        log(refused_after_send, "refused", "error")  # Xero refused it in the batch
        log(refused_twice, "refused", "error")
        log(refused_twice, "refused", "error")
        log(refused_twice, "create_invoices", "warning")  # a retry: not an outcome
        log(sent, "create_invoices", "success", days_ago=40)
        self.env.flush_all()
        self.env.invalidate_all()

        action = self.env["xero.overview"].action_open_activity()
        self.assertEqual(action["res_model"], "xero.overview.day")
        self.assertIn("graph", action["view_mode"])
        context = safe_eval(action["context"])
        Day = self.env["xero.overview.day"]
        arch = Day.get_views([(False, "graph"), (False, "search")])["views"]
        search = etree.fromstring(arch["search"]["arch"])
        last_30 = next(f for f in search.iter("filter") if f.get("name") == "filter_last_30_days")
        self.assertEqual(context, {"search_default_filter_last_30_days": 1})
        domain = safe_eval(
            last_30.get("domain"),
            {
                "context_today": lambda: fields.Date.context_today(Day),
                "relativedelta": relativedelta,
            },
        )
        rows = Day.search([*domain, ("company_id", "=", self.company.id)])
        outcomes = {(r.res_id, r.outcome, r.doc_type) for r in rows}
        self.assertEqual(
            outcomes,
            {
                (sent.id, "sent", "vendor_bill"),
                (refused_after_send.id, "error", "vendor_bill"),
                (refused_twice.id, "error", "vendor_bill"),
            },
        )
        self.assertEqual(len(Day.search([("res_id", "=", sent.id)])), 2)  # 40 days ago too
        graph = etree.fromstring(arch["graph"]["arch"])
        # per day in the user's time zone: the graph groups the time of the send
        self.assertEqual([f.get("name") for f in graph.iter("field")], ["sent_at", "outcome"])
        panel = self.env["xero.overview"].get_overview_panel()
        self.assertEqual((panel["sent_30d"], panel["errors_30d"]), (1, 2))


@tagged("post_install", "-at_install")
class TestOverviewTour(XeroHttpCase):
    def test_new_administrator_reads_the_overview(self):
        company = self.env.company
        company.write({"xero_export_vendor_bill": True, "xero_vendor_bill_mode": "manual"})
        bills = self.env["account.move"]
        for ref in ("OVERVIEW-ERR", "OVERVIEW-OK"):
            partner = self.env["res.partner"].create({"name": f"Supplier {ref}"})
            bills |= self.env["account.move"].create(
                {
                    "move_type": "in_invoice",
                    "partner_id": partner.id,
                    "ref": ref,
                    "invoice_date": fields.Date.today(),
                    "invoice_line_ids": [
                        (0, 0, {"name": "Paper", "quantity": 1, "price_unit": 10})
                    ],
                }
            )
        bills.action_post()
        bills[0]._xero_write({"xero_state": "error", "xero_error": "Refused"})
        self.start_tour(
            "/odoo/action-xero_connector.xero_overview_action",
            "xero_connector_overview_tour",
            login="admin",
        )
