"""Bills and invoices sent to the sandbox approved (Xero takes payments on approved
documents only), and the payment crons run the way Odoo's cron worker runs them."""

from odoo import SUPERUSER_ID, api

from .common import DEMO_ORG, org_id
from .export_common import XeroExportCase

# The scopes of a custom connection created without Xero's payments permission.
SCOPES_WITHOUT_PAYMENTS = (
    "accounting.invoices accounting.contacts accounting.settings accounting.attachments"
)


class XeroPaymentCase(XeroExportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.xero_document_status = "AUTHORISED"
        cls.bank_journal = cls.env["account.journal"].search(
            [("company_id", "=", cls.company.id), ("type", "=", "bank")], limit=1
        )

    def exported(self, move_type="in_invoice", **vals):
        move = self.make_move(move_type, **vals)
        self.run_export()
        self.assertEqual(move.xero_state, "sent", move.xero_error)
        return move

    def run_sync(self):
        self.env.flush_all()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["xero.payment.sync"]._cron_xero_sync()
        self.env.invalidate_all()

    def run_push(self):
        self.env.flush_all()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["account.payment"]._cron_xero_push_payments()
        self.env.invalidate_all()

    def pay_in_xero(self, move, amount=None, **kw):
        answer = self.sandbox.pay(self.tenant, move.xero_id, amount, **kw)
        self.assertNotIn("errors", answer or {}, answer)
        return answer

    def xero_payments(self, move, status="AUTHORISED"):
        key = "CreditNote" if move._xero_kind() == "credit_notes" else "Invoice"
        id_field = "CreditNoteID" if key == "CreditNote" else "InvoiceID"
        return [
            p
            for p in self.sandbox.records(self.tenant, "Payments")
            if (p.get(key) or {}).get(id_field) == move.xero_id
            and (status is None or p["Status"] == status)
        ]

    def odoo_payments(self, move):
        return self.env["account.payment"].search([("xero_document_id", "=", move.id)])

    def register_payment(self, move, amount=None, journal=None):
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create(
                {
                    "journal_id": (journal or self.bank_journal).id,
                    **({"amount": amount} if amount is not None else {}),
                }
            )
        )
        return wizard._create_payments()

    def connect_without_payments_permission(self, client_id="no-payments"):
        """Reconnect as a custom connection whose app Xero gave no payments permission."""
        self.sandbox.register_app(
            client_id,
            f"{client_id}-secret",
            kind="custom",
            tenant_id=org_id(self.sandbox, DEMO_ORG),
            scopes=SCOPES_WITHOUT_PAYMENTS,
        )
        self.connection.write(
            {"auth_type": "custom", "client_id": client_id, "client_secret": f"{client_id}-secret"}
        )
        self.connection.action_connect()
        self.assertEqual(self.connection.state, "connected")
