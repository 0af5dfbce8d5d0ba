from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        """A payment matched to a document after it was posted (e.g. an outstanding
        payment added on an invoice) goes to Xero too, when that document is there."""
        partials = super().create(vals_list)
        moves = partials.debit_move_id.move_id | partials.credit_move_id.move_id
        payments = moves.origin_payment_id.filtered(
            lambda p: (
                p.xero_push_state in ("not_sent", "error") and p.state not in ("draft", "canceled")
            )
        )
        if payments:
            payments._xero_queue_push()
        return partials
